// (Both stores, and the seed API.) What a message must be before any store takes it: a known type,
// text, valid sender and target ids.

import { AgentvisorError } from '../errors.js';
import { validateAgentId } from '../ids.js';
import type { MessageType } from '../records.js';
import type { SendRequest } from '../store.js';

export const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>(['note', 'handoff', 'status']);

/** INVALID_MESSAGE unless `type` is a message type. */
export function checkMessageType(type: unknown): void {
  if (typeof type !== 'string' || !MESSAGE_TYPES.has(type)) {
    throw new AgentvisorError('INVALID_MESSAGE', `message type must be note, handoff or status, not ${JSON.stringify(type)}`, { type });
  }
}

/** INVALID_MESSAGE unless the message is text. */
export function checkMessageText(message: unknown): void {
  if (typeof message !== 'string') throw new AgentvisorError('INVALID_MESSAGE', 'the message must be a string', {});
}

/** A send request as every store checks it first. */
export function checkSend(request: SendRequest): void {
  validateAgentId(request.from, 'sender id');
  if (request.to !== '*') validateAgentId(request.to, 'target agent id');
  checkMessageType(request.type);
  checkMessageText(request.message);
}
