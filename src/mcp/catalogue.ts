// The MCP tools as a model sees them: names, descriptions (what, when, what a conflict means, what to
// do next) and JSON input schemas, plus the one validator of their arguments: a bad argument is a
// problem named back to the model, never an exception out of the server.

export const MAX_WAIT_MS = 50_000;

export type ToolName = 'lock' | 'unlock' | 'check' | 'status' | 'send' | 'inbox' | 'request_handoff';

export interface ToolDefinition {
  name: ToolName;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties: false };
}

const PATHS = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description:
    'Paths or globs relative to the repository root, with / separators (e.g. "src/api/users.ts", "src/api/**", "docs/"). A folder name covers everything under it.',
};
const WAIT_MS = {
  type: 'integer',
  minimum: 0,
  description: `How long to wait in line for the paths, in milliseconds (default 0: do not wait; longer than ${MAX_WAIT_MS} counts as ${MAX_WAIT_MS}).`,
};

const CONFLICT_HELP =
  'A conflict result (isError) names who holds each path, the lock path it overlaps and since when: do not edit those files. ' +
  'Either work on something else and try again later, call request_handoff to ask the holder for them, or call again with wait_ms to wait in line.';

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'lock',
    description:
      'Take locks on files or globs before editing them, so that no other agent edits them meanwhile. All or nothing: either every path is locked for you, or none is. ' +
      'Use it before you start changing files that other agents might touch, and call unlock when you are done. ' +
      'Returns the lock records taken (file_path, mode, token, ...). Set shared: true when you only need the files not to change under you (other readers may share them). ' +
      CONFLICT_HELP,
    inputSchema: {
      type: 'object',
      properties: { paths: PATHS, shared: { type: 'boolean', description: 'A shared (read) lock instead of an exclusive one (default false).' }, wait_ms: WAIT_MS },
      required: ['paths'],
      additionalProperties: false,
    },
  },
  {
    name: 'unlock',
    description:
      'Release locks you hold, by the paths you locked them with, as soon as you are done with those files: other agents may be waiting for them. ' +
      'Returns the lock records released; an error result lists the paths you did not hold (never taken, already released, or reclaimed).',
    inputSchema: { type: 'object', properties: { paths: PATHS }, required: ['paths'], additionalProperties: false },
  },
  {
    name: 'check',
    description:
      'Find out, without taking anything, whether other agents hold files or globs you are about to edit. Returns the conflict records ' +
      '(locked_by, lock_path, since, witness); an empty list means the paths are free right now. Not an error when there are conflicts.',
    inputSchema: { type: 'object', properties: { paths: PATHS }, required: ['paths'], additionalProperties: false },
  },
  {
    name: 'status',
    description:
      'The coordination board: which agents run, every lock held (who, which paths, since when), who waits for what, recent conflicts and pending messages. ' +
      'Use it to see who works on what before you plan your changes.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  },
  {
    name: 'send',
    description:
      'Send a message to another agent (by its agent id, as status shows it) or to every agent with to: "*". ' +
      'type "note" (default) for information, "status" for progress, "handoff" to ask for or offer files. Returns the message records sent.',
    inputSchema: {
      type: 'object',
      properties: {
        to: { type: 'string', minLength: 1, description: 'An agent id, or "*" for every known agent.' },
        message: { type: 'string', minLength: 1, description: 'The text of the message.' },
        type: { type: 'string', enum: ['note', 'handoff', 'status'], description: 'note (default), handoff or status.' },
      },
      required: ['to', 'message'],
      additionalProperties: false,
    },
  },
  {
    name: 'inbox',
    description:
      'Read your unread messages from other agents, oldest first; they are marked read unless peek is true. ' +
      'A "handoff" message asks you to release files you hold: finish or pause your edit, then call unlock on them.',
    inputSchema: { type: 'object', properties: { peek: { type: 'boolean', description: 'Look without marking them read.' } }, additionalProperties: false },
  },
  {
    name: 'request_handoff',
    description:
      'Ask the agents holding files you need to hand them over: each holder gets a "handoff" message naming the paths. ' +
      'With wait_ms you also take your place in line at once and get the locks as soon as the holders release them, before anyone who asked later; ' +
      'the result is then the lock records taken. Without wait_ms (or if the wait runs out) the result is an error naming the holders: ' +
      'work on something else and call lock (or request_handoff with wait_ms) later. If the paths are free, they are simply locked for you.',
    inputSchema: {
      type: 'object',
      properties: {
        paths: PATHS,
        message: { type: 'string', description: 'Why you need them (added to the handoff message).' },
        wait_ms: WAIT_MS,
      },
      required: ['paths'],
      additionalProperties: false,
    },
  },
];

export type Args = Record<string, unknown>;

/** A problem with a tool's arguments, worded for the model. */
export class ToolInputError extends Error {}

export function toolNamed(name: string): ToolDefinition | undefined {
  return TOOLS.find((t) => t.name === name);
}

/** Check `args` against the tool's schema: unknown keys, missing and mistyped values are refused. */
export function checkArgs(tool: ToolDefinition, args: unknown): Args {
  if (args === undefined || args === null) args = {};
  if (typeof args !== 'object' || Array.isArray(args)) throw new ToolInputError(`${tool.name}: the arguments must be a JSON object`);
  const given = args as Args;
  const properties = tool.inputSchema.properties;
  for (const key of Object.keys(given)) {
    if (!(key in properties)) throw new ToolInputError(`${tool.name}: unknown argument "${key}" (accepted: ${Object.keys(properties).join(', ') || 'none'})`);
  }
  for (const key of tool.inputSchema.required ?? []) {
    if (given[key] === undefined) throw new ToolInputError(`${tool.name}: "${key}" is required`);
  }
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) checkValue(tool.name, key, properties[key] as Record<string, unknown>, value);
  }
  return given;
}

function checkValue(tool: string, key: string, schema: Record<string, unknown>, value: unknown): void {
  const where = `${tool}: "${key}"`;
  switch (schema.type) {
    case 'array':
      if (!Array.isArray(value) || value.length === 0) throw new ToolInputError(`${where} must be a non-empty array of paths`);
      value.forEach((item, i) => {
        if (typeof item !== 'string' || item === '') throw new ToolInputError(`${where}[${i}] must be a non-empty string`);
      });
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new ToolInputError(`${where} must be true or false`);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ToolInputError(`${where} must be a whole number of milliseconds, 0 or more`);
      return;
    case 'string': {
      if (typeof value !== 'string') throw new ToolInputError(`${where} must be a string`);
      const allowed = schema.enum as string[] | undefined;
      if (allowed && !allowed.includes(value)) throw new ToolInputError(`${where} must be one of ${allowed.join(', ')} (got "${value}")`);
      if (schema.minLength && value.trim() === '') throw new ToolInputError(`${where} must not be empty`);
      return;
    }
  }
}

/** wait_ms as the store takes it: 0 does not wait; more is capped at MAX_WAIT_MS. */
export function waitMs(args: Args): number {
  const value = typeof args.wait_ms === 'number' ? args.wait_ms : 0;
  return Math.min(value, MAX_WAIT_MS);
}
