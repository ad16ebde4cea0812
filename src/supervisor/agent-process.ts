// One agent's lifecycle as a state union: pending → locking → running ⇄ restarting → finished.
// The order that crash safety needs lives here: on every exit the whole process tree is killed
// before anything is released, and locks are released only after the last exit.

import type { AgentSpec } from '../config/types.js';
import type { LockRecord } from '../core/records.js';
import type { AgentEvent, AgentOutcome, StopCause } from './events.js';
import { cgroupMembers } from './cgroup.js';
import { trackDescendants, type TreeMembers } from './descendants.js';
import { PORTABLE_ENV, portableRequested } from '../platform/system.js';
import { killTree, signalTree, waitTreeGone, type ProcStat } from './kill-tree.js';
import type { AgentOutput } from './output.js';
import type { Policy, RunContext } from './policy.js';
import { spawnAgent, type AgentExit, type SpawnRequest, type SpawnedAgent } from './spawn.js';

export type AgentState =
  | { kind: 'pending' }
  | { kind: 'locking'; since: number }
  | { kind: 'running'; child: SpawnedAgent; pid: number; startedAt: number; attempt: number }
  | { kind: 'restarting'; attempt: number }
  | { kind: 'finished'; outcome: AgentOutcome };

export class AgentProcess {
  state: AgentState = { kind: 'pending' };
  restarts = 0;
  /** The locks taken for it before its first spawn (heartbeat checks these by token). */
  locks: LockRecord[] = [];
  /** From the grant of its locks until they are released: the heartbeat keeps it alive. */
  leaseHeld = false;
  /** performance.now() just before the last renewal that succeeded (or the grant). */
  lastRenewedAt = 0;
  firstStartedAt: number | null = null;
  finishedAt: number | null = null;
  /** Files changed under its locks while it ran (watch-changes). */
  readonly changed = new Set<string>();
  /** Start/end (epoch ms) of each run of its process, for attributing changes by mtime. */
  readonly intervals: { from: number; to: number | null }[] = [];
  /** How long it waited in line for its locks, and for whom (the summary tells it). */
  waited: { ms: number; holders: string[] } | null = null;
  stopCause: StopCause | null = null;
  /** What of its running tree the group and marker miss: its cgroup, or descendants tracked by parent pid. */
  private members: TreeMembers | null = null;

  /** Members of its running tree that its group and marker miss (job control signals them too). */
  get extraMembers(): TreeMembers | null {
    return this.members;
  }
  /** While stopping gracefully: when (performance.now()) the grace period ends. */
  private stopDeadline: number | null = null;
  lastExit: AgentExit | null = null;
  readonly done: Promise<AgentOutcome>;

  private restartRequested = false;
  private resolveDone!: (outcome: AgentOutcome) => void;
  private readonly abort = new AbortController();
  private started = false;

  constructor(
    readonly spec: AgentSpec,
    readonly index: number,
    readonly output: AgentOutput,
    private readonly run: RunContext,
    private readonly policies: readonly Policy[],
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    run.signal.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  get id(): string {
    return this.spec.id;
  }

  /** Aborted when this agent is being stopped (lock waits and restart backoffs end early). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get isFinished(): boolean {
    return this.state.kind === 'finished';
  }

  /** Begin the lifecycle (once); resolves `done` at the end. */
  start(): void {
    if (this.started || this.isFinished) return;
    this.started = true;
    void this.lifecycle().catch((error: unknown) => {
      this.run.log.error({ agent: this.id, err: error }, `supervising ${this.id} failed: ${(error as Error).message}`);
      void this.finishAfterCrash(error);
    });
  }

  /** Never start it: a dependency failed, or the run stops before its turn. */
  settle(outcome: AgentOutcome): void {
    if (this.started || this.isFinished) return;
    this.started = true;
    this.finish(outcome);
  }

  /** Stop it: close its input, SIGTERM its group, SIGKILL after the grace period (or at once). */
  async stop(cause: StopCause, options: { immediate?: boolean } = {}): Promise<void> {
    if (this.isFinished) return;
    this.stopCause ??= cause;
    this.abort.abort();
    const state = this.state;
    if (state.kind !== 'running') return;
    const marker = this.run.marker(this.id);
    if (options.immediate) {
      this.stopDeadline = performance.now();
      signalTree(state.pid, marker, 'SIGKILL', this.members);
      return;
    }
    if (this.stopDeadline !== null) return;
    this.stopDeadline = performance.now() + this.run.settings.shutdownGraceMs;
    this.notify({ type: 'stopping', agent: this.id, cause });
    await this.terminate(state);
  }

  /**
   * End the running process as `stop` does (input closed, SIGTERM, SIGKILL after the grace period)
   * and start it again at once, its locks held throughout (a person asked: the dashboard). False
   * when it is not running, or already stopping or restarting.
   */
  restart(): boolean {
    const state = this.state;
    if (state.kind !== 'running' || this.stopCause !== null || this.stopDeadline !== null) return false;
    this.restartRequested = true;
    this.stopDeadline = performance.now() + this.run.settings.shutdownGraceMs;
    void this.terminate(state).catch((error: unknown) =>
      this.run.log.error({ agent: this.id, err: error }, `restarting ${this.id} failed: ${(error as Error).message}`),
    );
    return true;
  }

  private async terminate(state: Extract<AgentState, { kind: 'running' }>): Promise<void> {
    const marker = this.run.marker(this.id);
    await this.callBeforeStop();
    if (this.state !== state) return;
    // The whole tree gets SIGTERM (a `sh -c` leader dies at once; what it runs gets its grace too).
    signalTree(state.pid, marker, 'SIGTERM', this.members);
    const gone = await waitTreeGone(state.pid, marker, () => this.stopDeadline ?? 0, 20, this.members);
    if (!gone && this.state === state) {
      this.run.log.warn({ agent: this.id }, `${this.id} did not stop within ${this.run.settings.shutdownGraceMs} ms of SIGTERM: SIGKILL`);
      signalTree(state.pid, marker, 'SIGKILL', this.members);
    }
  }

  private async lifecycle(): Promise<void> {
    this.state = { kind: 'locking', since: Date.now() };
    const refused = await this.firstAnswer((p) => p.acquire?.(this, this.run));
    if (refused) return this.finish(refused);
    if (this.stopCause || this.run.stopReason) return this.end(this.stoppedOutcome(null));
    for (let attempt = 0; ; attempt++) {
      const exit = await this.runOnce(attempt);
      const outcome = this.classify(exit);
      if (this.stopCause || this.run.stopReason) return this.end(outcome);
      // A restart someone asked for comes at once, whatever the restart policy says.
      const delayMs = this.restartRequested ? 0 : this.restartDelay(exit);
      this.restartRequested = false;
      if (delayMs === null) return this.end(outcome);
      this.restarts++;
      this.state = { kind: 'restarting', attempt: attempt + 1 };
      this.notify({ type: 'restarting', agent: this.id, attempt: attempt + 1, delayMs });
      await delay(delayMs, this.signal);
      if (this.stopCause || this.run.stopReason) return this.end(outcome);
    }
  }

  private async runOnce(attempt: number): Promise<AgentExit> {
    let request: SpawnRequest = {
      command: this.spec.command,
      cwd: this.spec.cwd,
      env: this.environment(),
      stdin: this.spec.messages.to === 'stdin' ? 'pipe' : 'ignore',
    };
    for (const policy of this.policies) request = policy.prepareSpawn?.(this, request, this.run) ?? request;
    this.stopDeadline = null;
    const child = spawnAgent(request);
    this.members = request.cgroup ? cgroupMembers(request.cgroup) : child.pid !== undefined ? trackDescendants(child.pid) : null;
    const startedAt = Date.now();
    this.intervals.push({ from: startedAt, to: null });
    if (child.stdout) this.output.follow(child.stdout);
    if (child.stderr) this.output.follow(child.stderr, 'stderr');
    if (child.pid !== undefined) {
      this.firstStartedAt ??= startedAt;
      this.state = { kind: 'running', child, pid: child.pid, startedAt, attempt };
      this.output.note(`started (pid ${child.pid}, attempt ${attempt + 1})`);
      this.notify({ type: 'started', agent: this.id, pid: child.pid, attempt });
      for (const policy of this.policies) policy.onSpawn?.(this, child, this.run);
    }
    const exit = await child.exited;
    // While stopping gracefully, what the leader started keeps its grace period (a `sh -c` leader
    // dies of SIGTERM at once, before the command it runs has cleaned up).
    if (this.stopDeadline !== null) await waitTreeGone(child.pid ?? null, this.run.marker(this.id), () => this.stopDeadline ?? 0, 20, this.members);
    // Nothing of the agent may run once its locks can go: kill the rest of its tree first (its
    // group, its marked stragglers, and its cgroup or tracked descendants).
    await killTree(child.pid ?? null, this.run.marker(this.id), { onStuck: (left, ms) => this.saySurvivors(left, ms), extra: this.members });
    this.members?.close();
    this.members = null;
    await this.output.drain(200);
    this.intervals[this.intervals.length - 1]!.to = Date.now();
    this.lastExit = exit;
    this.output.note(`exited: ${exit.error ?? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`)}`);
    this.notify({ type: 'exited', agent: this.id, exit, durationMs: Date.now() - startedAt });
    for (const policy of this.policies) await policy.afterExit?.(this, exit, this.run);
    return exit;
  }

  private classify(exit: AgentExit): AgentOutcome {
    const cause = this.stopCause;
    if (cause?.kind === 'timed-out') return { kind: 'timed-out', timeoutMs: cause.timeoutMs, exit };
    if (cause?.kind === 'lease-lost') return { kind: 'lease-lost', paths: cause.paths, exit };
    if (cause?.kind === 'requested') return { kind: 'stopped', reason: { kind: 'requested', by: cause.by }, exit };
    if (exit.code === 0 && !exit.error) return { kind: 'succeeded' };
    if (cause?.kind === 'run') return { kind: 'stopped', reason: cause.reason, exit };
    return { kind: 'failed', exit };
  }

  private stoppedOutcome(exit: AgentExit | null): AgentOutcome {
    const cause = this.stopCause;
    const reason = cause?.kind === 'run' ? cause.reason : cause?.kind === 'requested' ? { kind: 'requested' as const, by: cause.by } : this.run.stopReason ?? { kind: 'aborted' as const };
    return { kind: 'stopped', reason, exit };
  }

  private restartDelay(exit: AgentExit): number | null {
    for (const policy of this.policies) {
      const answer = policy.restartDelay?.(this, exit, this.run);
      if (answer !== undefined && answer !== null) return answer;
    }
    return null;
  }

  private async end(outcome: AgentOutcome): Promise<void> {
    for (const policy of this.policies) await policy.release?.(this, this.run);
    this.finish(outcome);
  }

  private finish(outcome: AgentOutcome): void {
    if (this.isFinished) return;
    this.state = { kind: 'finished', outcome };
    this.finishedAt = Date.now();
    this.output.close();
    this.notify({ type: 'finished', agent: this.id, outcome });
    this.resolveDone(outcome);
  }

  private async finishAfterCrash(error: unknown): Promise<void> {
    const exit: AgentExit = { code: null, signal: null, error: `supervisor error: ${(error as Error).message}` };
    const state = this.state;
    if (state.kind === 'running') await killTree(state.pid, this.run.marker(this.id), { onStuck: (left, ms) => this.saySurvivors(left, ms), extra: this.members }).catch(() => []);
    try {
      for (const policy of this.policies) await policy.release?.(this, this.run);
    } finally {
      this.finish({ kind: 'failed', exit });
    }
  }

  /** Loudly: its locks stay held (and renewed) until these are gone, however long that takes. */
  private saySurvivors(left: ProcStat[], waitedMs: number): void {
    const which = left.map((p) => `pid ${p.pid} state ${p.state}`).join(', ');
    this.run.log.error(
      { agent: this.id, pids: left.map((p) => p.pid) },
      `${left.length} process${left.length === 1 ? '' : 'es'} of ${this.id} survive SIGKILL after ${(waitedMs / 1000).toFixed(0)} s (${which}): its locks stay held until ${left.length === 1 ? 'it is' : 'they are'} gone. State D waits on the kernel (a hung mount or device); a process of another user needs that user or root to kill it`,
    );
  }

  private async firstAnswer(call: (policy: Policy) => Promise<AgentOutcome | null> | undefined): Promise<AgentOutcome | null> {
    for (const policy of this.policies) {
      const answer = await call(policy);
      if (answer) return answer;
    }
    return null;
  }

  private async callBeforeStop(): Promise<void> {
    for (const policy of this.policies) await policy.beforeStop?.(this, this.run).catch(() => undefined);
  }

  private notify(event: AgentEvent): void {
    this.run.notify(event);
  }

  private environment(): Record<string, string> {
    const { settings } = this.run;
    const marker = this.run.marker(this.id);
    return {
      ...inheritedEnvironment(settings),
      ...this.spec.env,
      AGENT_ID: this.id,
      AGENTVISOR_DIR: settings.dir,
      AGENTVISOR_ROOT: settings.root,
      AGENTVISOR_SUPERVISOR: String(settings.supervisorPid),
      AGENTVISOR_HEARTBEAT_MS: String(settings.heartbeatMs),
      // A portable supervisor's agents take the portable paths too (by name: the value is always 1).
      ...(portableRequested(settings.env) ? { [PORTABLE_ENV]: '1' } : {}),
      // Locks it takes itself name the watchdog too (empty: none; an outer run's must not leak in).
      AGENTVISOR_WATCHDOG: settings.watchdog ? `${settings.watchdog.pid}:${settings.watchdog.start ?? ''}` : '',
      [marker.key]: marker.value ?? this.id,
    };
  }
}

const inherited = new WeakMap<RunContext['settings'], Record<string, string>>();

/** The run's environment without its unset entries, worked out once per run, not once per spawn. */
function inheritedEnvironment(settings: RunContext['settings']): Record<string, string> {
  let env = inherited.get(settings);
  if (!env) {
    env = {};
    for (const [key, value] of Object.entries(settings.env)) if (value !== undefined) env[key] = value;
    inherited.set(settings, env);
  }
  return env;
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
