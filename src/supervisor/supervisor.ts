// The supervisor as a library: builds one AgentProcess per configured agent, runs the visible list
// of policies below around them under one AbortController, and returns the result (per-agent
// outcomes and the run's exit code). It never prints and never exits; the CLI does.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { AgentsConfig, OnConflict } from '../config/types.js';
import type { Store } from '../core/store.js';
import type { Logger } from '../log.js';
import { AgentProcess } from './agent-process.js';
import type { AgentEvent, StopReason } from './events.js';
import type { TreeMarker } from './kill-tree.js';
import { AgentOutput } from './output.js';
import type { Policy, RunContext, RunSettings } from './policy.js';
import { acquireLocks } from './policies/acquire-locks.js';
import { agentTimeout } from './policies/agent-timeout.js';
import { cgroups } from './policies/cgroups.js';
import { board } from './policies/board.js';
import { dependencies } from './policies/dependencies.js';
import { guardHook, type GuardInjector } from './policies/guard-hook.js';
import { heartbeat } from './policies/heartbeat.js';
import { jobControl } from './policies/job-control.js';
import { killOthersOnFail } from './policies/kill-others-on-fail.js';
import { ownsOrder } from './policies/owns-order.js';
import { releaseLocksOnExit } from './policies/release-locks-on-exit.js';
import { report } from './policies/report.js';
import { restart } from './policies/restart.js';
import { routeMessages } from './policies/route-messages.js';
import { runTimeout } from './policies/run-timeout.js';
import { stopOnSignal, type SignalSource } from './policies/stop-on-signal.js';
import { watchChanges } from './policies/watch-changes.js';
import { watchdog } from './policies/watchdog.js';
import { runControl, type RunControl } from './run-control.js';
import { agentReport, runExitCode, type RunResult, type UnownedChange } from './summary.js';

export interface SupervisorOptions {
  config: AgentsConfig;
  store: Store;
  /** The coordination dir (agents get it as AGENTVISOR_DIR; logs go to <dir>/logs). */
  dir: string;
  log: Logger;
  /** Where agents' prefixed output goes. */
  stdout: Writable & { isTTY?: boolean };
  /** exec: pass output through unprefixed, the agent's stderr to this stream. */
  passthroughStderr?: Writable;
  /** The environment agents inherit. */
  env: NodeJS.ProcessEnv;
  onConflict?: OnConflict;
  lockTimeoutMs?: number | null;
  timeoutMs?: number | null;
  killOthersOnFail?: boolean;
  /** Where SIGINT/SIGTERM come from (default: this process). */
  signals?: SignalSource;
  /** The caller's own way to stop the run. */
  signal?: AbortSignal;
  /** Watch the project for changes (modified history, unowned conflicts). Default true. */
  watchChanges?: boolean;
  guard?: GuardInjector | null;
  /** Replace the policy list (tests, embedders). */
  policies?: (defaults: Policy[]) => Policy[];
  /** Given, once the run is built, a way to stop or restart one of its agents (the dashboard). */
  control?: (control: RunControl) => void;
}

/** Every behaviour of a run, in the order the supervisor consults them. */
export function defaultPolicies(options: SupervisorOptions): Policy[] {
  return [
    // Before the watchdog: it is told the run's cgroup, to kill it whole if we die.
    cgroups(),
    watchdog(),
    // Ctrl-Z pauses this process's run (an embedder with its own signal source keeps its own); early
    // in the list, so it covers the others' set-up and tear-down sections too.
    ...(options.signals ? [] : [jobControl()]),
    board(),
    // Before acquire-locks: of two agents whose owns overlap, the later asks only once the earlier holds.
    ownsOrder(),
    acquireLocks(),
    guardHook(options.guard ?? null),
    heartbeat(),
    routeMessages(),
    ...(options.watchChanges === false ? [] : [watchChanges()]),
    agentTimeout(),
    restart(),
    releaseLocksOnExit(),
    killOthersOnFail(),
    runTimeout(),
    stopOnSignal(options.signals),
    report(),
    dependencies(),
  ];
}

export async function runAgents(options: SupervisorOptions): Promise<RunResult> {
  const supervisor = new Supervisor(options);
  return supervisor.run();
}

class Supervisor implements RunContext {
  readonly config: AgentsConfig;
  readonly settings: RunSettings;
  readonly store: Store;
  readonly log: Logger;
  readonly agents = new Map<string, AgentProcess>();
  readonly unowned: UnownedChange[] = [];
  stopReason: StopReason | null = null;
  private readonly controller = new AbortController();
  private readonly policies: Policy[];
  private readonly markerKey: string;

  constructor(private readonly options: SupervisorOptions) {
    const { config } = options;
    this.config = config;
    this.store = options.store;
    this.log = options.log;
    const runId = `${process.pid.toString(36)}_${randomBytes(4).toString('hex')}`;
    this.markerKey = `AGENTVISOR_RUN_${runId}`;
    this.settings = {
      heartbeatMs: config.heartbeatMs,
      leaseMs: 3 * config.heartbeatMs,
      shutdownGraceMs: config.shutdownGraceMs,
      onConflict: options.onConflict ?? config.onConflict,
      lockTimeoutMs: options.lockTimeoutMs !== undefined ? options.lockTimeoutMs : config.lockTimeoutMs,
      timeoutMs: options.timeoutMs ?? null,
      killOthersOnFail: options.killOthersOnFail ?? false,
      dir: options.dir,
      root: config.root,
      runId,
      supervisorPid: process.pid,
      watchdog: null,
      env: options.env,
    };
    // One listener per agent on the run's signal is by design, not a leak.
    setMaxListeners(0, this.controller.signal);
    const defaults = defaultPolicies(options);
    this.policies = options.policies ? options.policies(defaults) : defaults;
    config.agents.forEach((spec, index) => {
      const output = new AgentOutput({ stdout: options.stdout, passthroughStderr: options.passthroughStderr }, spec.id, index, join(options.dir, 'logs', `${spec.id}.log`));
      this.agents.set(spec.id, new AgentProcess(spec, index, output, this, this.policies));
    });
    options.control?.(runControl(this));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  marker(agentId: string): TreeMarker {
    return { key: this.markerKey, value: agentId };
  }

  async run(): Promise<RunResult> {
    const external = this.options.signal;
    const onAbort = (): void => this.stop({ kind: 'aborted' });
    external?.addEventListener('abort', onAbort, { once: true });
    try {
      if (external?.aborted) this.stop({ kind: 'aborted' });
      for (const policy of this.policies) await policy.attach?.(this);
      await Promise.all([...this.agents.values()].map((agent) => agent.done));
    } finally {
      external?.removeEventListener('abort', onAbort);
      for (const policy of [...this.policies].reverse()) {
        await Promise.resolve(policy.detach?.(this)).catch((error: unknown) =>
          this.log.warn({ err: error }, `${policy.name}: tear-down failed: ${(error as Error).message}`),
        );
      }
    }
    const agents = [...this.agents.values()].map(agentReport);
    return { exitCode: runExitCode(agents, this.stopReason), stopReason: this.stopReason, agents, unowned: this.unowned };
  }

  stop(reason: StopReason, options: { immediate?: boolean } = {}): void {
    if (this.stopReason === null) {
      this.stopReason = reason;
      this.notify({ type: 'run-stopping', reason });
      this.controller.abort();
    }
    for (const agent of this.agents.values()) {
      if (agent.state.kind === 'pending') agent.settle({ kind: 'stopped', reason, exit: null });
      else void agent.stop({ kind: 'run', reason }, options);
    }
  }

  notify(event: AgentEvent): void {
    for (const policy of this.policies) {
      try {
        policy.notify?.(event, this);
      } catch (error) {
        this.log.warn({ err: error }, `${policy.name} failed on ${event.type}: ${(error as Error).message}`);
      }
    }
  }
}
