// The public library API of agentvisor: re-exports only.

export {
  acquireLock,
  checkConflicts,
  cleanupStaleLocks,
  readMessages,
  releaseLock,
  sendMessage,
  updateStatusBoard,
  type AcquireLockOptions,
  type CheckOptions,
  type ReadOptions as ReadMessagesOptions,
  type SeedOptions,
  type SendOptions,
} from './core/seed-api.js';
export { openStore, type OpenStoreOptions } from './core/open-store.js';
export { FileStore, type FileStoreOptions } from './core/fs-store/file-store.js';
export type * from './core/store.js';
export type * from './core/records.js';
export { AgentvisorError, isAgentvisorError, isBadInput, type ErrorCode, type ErrorFacts } from './core/errors.js';
export { isLiteral, matchesPath, overlapWitness, parsePattern, type Pattern } from './core/glob/index.js';
export { normaliseLockPath } from './core/paths.js';
export { resolveAgentId, validateAgentId } from './core/ids.js';
export { coordinationDir, findRoot } from './core/location.js';
export { ownerFromEnvironment } from './core/ownership.js';
export { createClock, type Clock } from './core/clock.js';
