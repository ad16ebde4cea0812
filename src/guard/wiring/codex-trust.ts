// Codex runs a hook only once it is trusted: `[hooks.state."<key>"] trusted_hash = "<hash>"` in its
// config, as its /hooks screen writes it. Read from openai/codex codex-rs (hooks/src/engine/
// discovery.rs, config/src/fingerprint.rs, config/src/hook_config.rs):
// - key: `<hooks file path>:<event in snake_case>:<matcher group index>:<handler index>`;
// - hash: `sha256:` + hex SHA-256 of the compact JSON, keys sorted at every level, of
//   {event_name, matcher, hooks: [the one handler, normalised]}, where a handler is
//   {type: "command", command, timeout (seconds, default 600), async (default false)} and absent
//   options (statusMessage, commandWindows, ...) are left out, as TOML drops them.

import { createHash } from 'node:crypto';

export interface CodexCommandHook {
  command: string;
  /** Seconds. */
  timeout: number;
}

export function codexHookKey(hooksFile: string, event: string, group: number, handler: number): string {
  return `${hooksFile}:${snakeCase(event)}:${group}:${handler}`;
}

export function codexHookHash(event: string, matcher: string | null, hook: CodexCommandHook): string {
  const identity = {
    event_name: snakeCase(event),
    ...(matcher === null ? {} : { matcher }),
    hooks: [{ type: 'command', command: hook.command, timeout: Math.max(1, hook.timeout), async: false }],
  };
  return `sha256:${createHash('sha256').update(JSON.stringify(sortKeys(identity))).digest('hex')}`;
}

/** `PreToolUse` → `pre_tool_use`. */
export function snakeCase(event: string): string {
  return event.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
