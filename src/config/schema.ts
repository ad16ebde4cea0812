// The shape of agents.config.json as a zod schema: the one source of truth for validation, for
// the TypeScript input types and for the JSON Schema that editors use. Cross-field and
// cross-agent rules live in normalise.ts and rules.ts; this file only says what each key may hold.

import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../core/ids.js';
import { DEFAULTS } from './defaults.js';

/** The duration strings of the contract (`500ms`, `30s`, `10m`, `1h`), also accepted in the config. */
export const DURATION_PATTERN = /^[0-9]+(\.[0-9]+)?(ms|s|m|h)?$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STORE_URL_PATTERN = /^postgres(ql)?:\/\//;

export const AGENT_ID_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters';

const agentId = z
  .string()
  .regex(AGENT_ID_PATTERN, { error: (issue) => `${JSON.stringify(issue.input)} is not a valid agent id (${AGENT_ID_RULE})` });

const DURATION_HINT = 'must be a duration such as "500ms", "30s", "10m", "1h", or a number of milliseconds';

/** A duration in ms, or a duration string such as "10m". */
function duration(minimum: 0 | 1) {
  const error = `must be ${minimum === 1 ? 'a positive' : 'a non-negative'} whole number of milliseconds or a duration such as "500ms", "30s", "10m", "1h"`;
  return z.union([z.number().int({ error }).min(minimum, { error }), z.string().regex(DURATION_PATTERN, { error: DURATION_HINT })], { error });
}

const lockPaths = (description: string) =>
  z.array(z.string().min(1, { error: 'must not be empty' })).meta({ description });

const argv = z
  .array(z.string())
  .min(1)
  .refine((words) => words[0] !== '', { error: 'the program (the first item) must not be empty', path: [0] });

const command = z
  .union([z.string().trim().min(1), argv], {
    error: 'must be a non-empty shell string or a non-empty array of strings (argv)',
  })
  .meta({ description: 'A shell string (run by /bin/sh -c) or an argv array (no shell).' });

export const MESSAGE_TARGETS = ['inbox', 'stdin'] as const;
export const MESSAGE_FORMATS = ['text', 'jsonl', 'claude'] as const;

const messages = z
  .union(
    [
      z.enum(MESSAGE_TARGETS),
      z.strictObject({
        to: z.enum(MESSAGE_TARGETS),
        format: z.enum(MESSAGE_FORMATS).optional().meta({ description: 'How each message is written to stdin (default "text").' }),
      }),
    ],
    { error: 'must be "inbox", "stdin" or { "to": "stdin", "format": "text" | "jsonl" | "claude" }' },
  )
  .meta({
    description:
      '"inbox" (default: read with `agentvisor inbox`; stdin is /dev/null), "stdin" (messages written to stdin as text), or { "to": "stdin", "format": "text" | "jsonl" | "claude" }.',
  });

export const AgentSchema = z
  .strictObject({
    id: agentId.meta({ description: `The agent id (${AGENT_ID_RULE}).` }),
    command,
    owns: lockPaths('Lock paths or globs, relative to the root, taken exclusively before the agent starts.').optional(),
    reads: lockPaths('Lock paths or globs, relative to the root, taken shared before the agent starts.').optional(),
    env: z
      .record(z.string().regex(ENV_NAME_PATTERN, { error: (issue) => `${JSON.stringify(issue.input)} is not a valid environment variable name (letters, digits and "_", not starting with a digit)` }), z.string())
      .optional()
      .meta({ description: 'Extra environment variables (strings).' }),
    cwd: z.string().min(1).optional().meta({ description: 'Working directory, relative to the config file\'s folder; must exist inside the root (default ".").' }),
    restart: z.enum(['never', 'on-failure', 'always']).default(DEFAULTS.restart).meta({ description: 'Restart policy.' }),
    maxRestarts: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Restarts allowed (default 3 with "on-failure" or "always", 0 with "never").' }),
    dependsOn: z.array(agentId).optional().meta({ description: 'Agents that must exit 0 before this one starts.' }),
    timeoutMs: duration(1)
      .nullable()
      .optional()
      .meta({ description: 'Stop the agent (and count it failed) after this long; null or absent for no limit.' }),
    prompt: z.string().optional().meta({ description: 'The first message of a stdin agent.' }),
    messages: messages.optional(),
    allowFailure: z.boolean().default(DEFAULTS.allowFailure).meta({ description: 'A failure of this agent does not fail the run (its dependents still skip).' }),
    guard: z
      .boolean()
      .default(DEFAULTS.guard)
      .meta({ description: 'Wire the agentvisor guard hook into a `claude`, `codex` or `gemini` command (blocks edits of files other agents hold).' }),
    mcp: z
      .boolean()
      .default(DEFAULTS.mcp)
      .meta({ description: 'Wire the agentvisor MCP server (lock, unlock, check, status, send, inbox, request_handoff) into a `claude`, `codex` or `gemini` command.' }),
  })
  .meta({ title: 'Agent' });

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'The JSON Schema of this file, for editors.' }),
    heartbeatMs: duration(1)
      .default(DEFAULTS.heartbeatMs)
      .meta({ description: 'How often locks and the board are renewed, in ms; the lease is 3 times this.' }),
    onConflict: z.enum(['wait', 'fail']).default(DEFAULTS.onConflict).meta({ description: 'Wait in line for a held lock, or fail at once (exit 3). "fail" also makes two agents whose owns overlap a config error; with "wait" the later one (config order) waits for the earlier one.' }),
    lockTimeoutMs: duration(0)
      .nullable()
      .default(DEFAULTS.lockTimeoutMs)
      .meta({ description: 'How long an agent waits for its locks before the run fails (exit 3), in ms; null waits forever.' }),
    shutdownGraceMs: duration(0)
      .default(DEFAULTS.shutdownGraceMs)
      .meta({ description: 'Time between SIGTERM and SIGKILL at shutdown, in ms.' }),
    store: z
      .string()
      .regex(STORE_URL_PATTERN, { error: 'must be a postgres:// or postgresql:// URL' })
      .optional()
      .meta({ description: 'A PostgreSQL URL: keep every record in the database instead of files.' }),
    scope: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'PostgreSQL: the project these locks belong to in the database (default: the git origin URL, normalised).' }),
    agents: z.array(AgentSchema).min(1, { error: 'must hold at least one agent' }).meta({ description: 'The agents to run.' }),
  })
  .meta({
    title: 'agentvisor agents.config.json',
    description: 'Agents that agentvisor runs on one repository, with the files each owns and reads.',
  });

/** The config as written (before defaults). */
export type RawConfig = z.input<typeof ConfigSchema>;
/** The config after the schema (zod defaults applied, durations not yet parsed, paths not normalised). */
export type ParsedConfig = z.output<typeof ConfigSchema>;
export type ParsedAgent = z.output<typeof AgentSchema>;

/** The keys an object at a JSON path may hold, for did-you-mean on unknown keys. */
export function knownKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(ConfigSchema.shape);
  if (path.length === 2 && path[0] === 'agents') return Object.keys(AgentSchema.shape);
  if (path.length === 3 && path[0] === 'agents' && path[2] === 'messages') return ['to', 'format'];
  return [];
}
