// What a policy is (one optional behaviour of a run, like concurrently's flow controllers) and the
// run context every policy sees. Each hook is optional; the supervisor calls them in list order
// (detach in reverse order).

import type { ProcessIdentity, Store } from '../core/store.js';
import type { AgentsConfig, OnConflict } from '../config/types.js';
import type { Logger } from '../log.js';
import type { AgentProcess } from './agent-process.js';
import type { AgentEvent, AgentOutcome, StopReason } from './events.js';
import type { AgentExit, SpawnRequest, SpawnedAgent } from './spawn.js';
import type { TreeMarker } from './kill-tree.js';
import type { UnownedChange } from './summary.js';

export interface RunSettings {
  heartbeatMs: number;
  /** 3 × heartbeatMs: how long a lock lives without renewal. */
  leaseMs: number;
  shutdownGraceMs: number;
  onConflict: OnConflict;
  lockTimeoutMs: number | null;
  /** `--timeout`: stop everything after this long (exit 124). */
  timeoutMs: number | null;
  killOthersOnFail: boolean;
  /** The coordination dir and the project root, as agents see them. */
  dir: string;
  root: string;
  /** Unique per run; the environment marker's key is derived from it. */
  runId: string;
  /** The pid that keeps every lock of the run alive. */
  supervisorPid: number;
  /**
   * The watchdog (set by its policy once started, replaced if it dies): named in every lock of the
   * run, which counts as alive while it lives, so a SIGKILLed supervisor's locks outlive its agents.
   */
  watchdog: ProcessIdentity | null;
  /** The run's cgroup (cgroup.ts), set by its policy when one could be made: the watchdog kills it whole. */
  cgroup?: string | null;
  /** The environment agents inherit (before the config's `env` and agentvisor's own variables). */
  env: NodeJS.ProcessEnv;
}

export interface RunContext {
  readonly config: AgentsConfig;
  readonly settings: RunSettings;
  readonly store: Store;
  readonly log: Logger;
  readonly agents: ReadonlyMap<string, AgentProcess>;
  /** Aborted when the run starts stopping. */
  readonly signal: AbortSignal;
  /** The first reason the run is stopping, or null while it runs. */
  readonly stopReason: StopReason | null;
  /** Begin shutting down every agent (idempotent; `immediate` skips the grace period). */
  stop(reason: StopReason, options?: { immediate?: boolean }): void;
  /** Tell every policy about a lifecycle event. */
  notify(event: AgentEvent): void;
  marker(agentId: string): TreeMarker;
  /** Changes seen under no running agent's ownership (filled by watch-changes). */
  readonly unowned: UnownedChange[];
}

export interface Policy {
  readonly name: string;
  /** Run-wide set-up before any agent starts. */
  attach?(run: RunContext): void | Promise<void>;
  /** Follow the lifecycle (never awaited). */
  notify?(event: AgentEvent, run: RunContext): void;
  /** Before the first spawn: take what the agent needs; an outcome means "do not start it". */
  acquire?(agent: AgentProcess, run: RunContext): Promise<AgentOutcome | null>;
  /** Shape the spawn (the guard hook for claude commands plugs in here). */
  prepareSpawn?(agent: AgentProcess, request: SpawnRequest, run: RunContext): SpawnRequest;
  /** After each spawn. */
  onSpawn?(agent: AgentProcess, child: SpawnedAgent, run: RunContext): void;
  /** Before the supervisor signals a running agent to stop (close its input, say why). */
  beforeStop?(agent: AgentProcess, run: RunContext): Promise<void>;
  /** After each exit, once nothing of the agent's process tree runs any more. */
  afterExit?(agent: AgentProcess, exit: AgentExit, run: RunContext): Promise<void> | void;
  /** Spawn again after this many ms, or null (the first policy with an answer decides). */
  restartDelay?(agent: AgentProcess, exit: AgentExit, run: RunContext): number | null;
  /** After the agent's last exit (never between restarts): give back what it held. */
  release?(agent: AgentProcess, run: RunContext): Promise<void>;
  /** Run-wide tear-down once every agent has finished (reverse list order). */
  detach?(run: RunContext): void | Promise<void>;
}
