// What a command module looks like: a declarative spec (options, positionals, help) and a run
// function that returns an exit code. Commands never call process.exit; bin.ts does.

import type { Readable, Writable } from 'node:stream';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The option may be given several times (values collected in order). */
  multiple?: boolean;
  short?: string;
  /** Shown in --help, e.g. "D" for a duration. */
  valueName?: string;
  description: string;
  /** For a string option that may also stand alone (`--wait` or `--wait 30s`): the value when alone. */
  bareValue?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Everything after a literal `--` (exec's command). */
  rest: string[];
}

export interface CommandIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted when the CLI receives SIGINT/SIGTERM (long-running commands stop and return). */
  signal: AbortSignal;
}

export interface CommandContext extends CommandIO {
  args: ParsedArgs;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line after `agentvisor`, e.g. `lock P... [--agent ID] [--shared]`. */
  usage: string;
  /** Longer help: exit codes, examples. */
  details?: string;
  options: Record<string, OptionSpec>;
  positionals?: PositionalSpec[];
  /** Accept arguments after `--` (exec). */
  acceptsRest?: boolean;
  /** Exit code for a failure of the command itself (guard: 2, so a crash still blocks). Default 1. */
  failureExitCode?: number;
  /**
   * Exit as soon as run resolves, without waiting for pending handles (guard: a decision reached at
   * its deadline must not wait on a hung store, or the client's timeout lets the edit through).
   */
  exitWhenDone?: boolean;
  /** The command handles SIGINT/SIGTERM itself (run, exec: a second SIGINT kills the agents at once). */
  handlesSignals?: boolean;
  run(context: CommandContext): Promise<number>;
}
