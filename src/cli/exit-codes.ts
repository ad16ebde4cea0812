// The contract's exit codes for failures that reach the top: bad input 2, lock conflict or
// timeout 3, anything else 1. Commands return their own codes for the outcomes they expect.

import { AgentvisorError, isBadInput } from '../core/errors.js';

export const EXIT = {
  ok: 0,
  failure: 1,
  badInput: 2,
  conflict: 3,
  timeout: 124,
  sigint: 130,
  sigterm: 143,
} as const;

export function exitCodeForError(error: unknown): number {
  if (isBadInput(error)) return EXIT.badInput;
  if (error instanceof AgentvisorError && (error.code === 'LOCK_CONFLICT' || error.code === 'LOCK_TIMEOUT')) return EXIT.conflict;
  return EXIT.failure;
}

export function formatError(error: unknown): string {
  if (error instanceof AgentvisorError) return `agentvisor: ${error.message}`;
  if (error instanceof Error) return `agentvisor: ${error.message}`;
  return `agentvisor: ${String(error)}`;
}
