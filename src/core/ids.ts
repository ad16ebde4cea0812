// The agent id rule ([A-Za-z0-9][A-Za-z0-9._-]{0,63}) and where an id comes from: the caller,
// else AGENT_ID, else `unknown_agent` with a warning (the seed's default, "not recommended").

import { AgentvisorError } from './errors.js';

export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEFAULT_AGENT_ID = 'unknown_agent';

export function isValidAgentId(value: unknown): value is string {
  return typeof value === 'string' && AGENT_ID_PATTERN.test(value);
}

/** Returns the id, or throws INVALID_AGENT_ID saying what is wrong with it. */
export function validateAgentId(value: unknown, source = 'agent id'): string {
  if (isValidAgentId(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  let why = 'use letters, digits, ".", "_" or "-", starting with a letter or digit, at most 64 characters';
  if (typeof value !== 'string') why = 'it must be a string';
  else if (value === '') why = 'it is empty';
  else if (value.length > 64) why = `it is ${value.length} characters long (at most 64)`;
  else if (/[/\\]/.test(value)) why = 'it contains a path separator';
  return failInvalid(`${source} ${shown} is not valid: ${why}`, value);
}

function failInvalid(message: string, value: unknown): never {
  throw new AgentvisorError('INVALID_AGENT_ID', message, { agentId: value });
}

export interface ResolveAgentIdOptions {
  env?: NodeJS.ProcessEnv;
  /** Told when falling back to `unknown_agent` (default: process.emitWarning). */
  warn?: (message: string) => void;
}

const defaultWarn = (message: string): void => process.emitWarning(message, { code: 'AGENTVISOR_NO_AGENT_ID' });

/** The id from the caller (flag or argument), else AGENT_ID, else `unknown_agent` with a warning. */
export function resolveAgentId(given: string | undefined | null, options: ResolveAgentIdOptions = {}): string {
  if (given !== undefined && given !== null) return validateAgentId(given);
  const fromEnv = (options.env ?? process.env).AGENT_ID;
  if (fromEnv !== undefined && fromEnv !== '') return validateAgentId(fromEnv, 'AGENT_ID');
  (options.warn ?? defaultWarn)(`no agent id given (--agent or AGENT_ID); acting as "${DEFAULT_AGENT_ID}", which other agents cannot tell apart`);
  return DEFAULT_AGENT_ID;
}
