// The normalised agents.config.json that the supervisor consumes (what load.ts returns after the
// zod schema, defaults and cross-agent rules). Durations are ms; lock paths are normalised.

export type RestartPolicy = 'never' | 'on-failure' | 'always';
export type OnConflict = 'wait' | 'fail';
export type MessageFormat = 'text' | 'jsonl' | 'claude';

export type MessageRouting = { to: 'inbox' } | { to: 'stdin'; format: MessageFormat };

export interface AgentSpec {
  id: string;
  /** A shell string (run by /bin/sh -c) or an argv array. */
  command: string | string[];
  owns: string[];
  reads: string[];
  env: Record<string, string>;
  /** Absolute working directory. */
  cwd: string;
  restart: RestartPolicy;
  maxRestarts: number;
  dependsOn: string[];
  timeoutMs: number | null;
  prompt: string | null;
  messages: MessageRouting;
  allowFailure: boolean;
  /** Wire the guard hook into a `claude`, `codex` or `gemini` command; default true. */
  guard: boolean;
  /** Wire the agentvisor MCP server into a `claude`, `codex` or `gemini` command; default true. */
  mcp: boolean;
}

export interface AgentsConfig {
  /** Absolute path of the config file. */
  file: string;
  /** The project root (the folder of the config file unless AGENTVISOR_ROOT says otherwise). */
  root: string;
  heartbeatMs: number;
  onConflict: OnConflict;
  lockTimeoutMs: number | null;
  shutdownGraceMs: number;
  store: string | null;
  /** PostgreSQL: the scope (null: --scope, AGENTVISOR_SCOPE or the git origin). */
  scope: string | null;
  agents: AgentSpec[];
}

/** One problem found in a config: where (JSON path like `agents[1].owns[0]`) and what. */
export interface ConfigProblem {
  file: string;
  path: string;
  message: string;
  /** Where in the file, when known (JSON syntax errors), 1-based. */
  line?: number;
  column?: number;
}
