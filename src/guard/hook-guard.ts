// `agentvisor guard` as a pre-tool hook: payload → literal paths under root → decision → the exit
// code and words the client reads (0 allow; 2 block, reason on stderr). A check reads the live
// lock files and nothing else; only --claim opens the store (and loads its writing half), and only
// a block loads the words of a block: every module costs ~0.5 ms of start-up, on every edit.

import { resolve } from 'node:path';
import { liveLocksIn } from '../core/fs-store/live-locks.js';
import { coordinationDir, findRoot } from '../core/location.js';
import { chooseStore } from '../core/store-choice.js';
import type { LockRecord } from '../core/records.js';
import { decideClaim, decideFromLocks, type Decision } from './decide.js';
import { guardIdentity, type GuardIdentity } from './identity.js';
import { parseHookPayload } from './payload.js';
import { literalTargets } from './targets.js';

export interface HookGuardInput {
  payload: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  agent?: string;
  dir?: string;
  /** --store, --scope (else AGENTVISOR_STORE / AGENTVISOR_SCOPE / the config: store-choice.ts). */
  store?: string;
  scope?: string;
  claim: boolean;
}

export interface GuardOutcome {
  code: 0 | 2;
  /** Said on stderr: the reason for a block, or a note about what was claimed. */
  message: string;
}

export async function hookGuard(input: HookGuardInput): Promise<GuardOutcome> {
  const request = parseHookPayload(input.payload);
  if (!request.paths.length) return allow();
  const base = resolve(input.cwd, request.cwd ?? '.');
  const root = findRoot({ cwd: base, env: input.env });
  const targets = literalTargets(request.paths, root, base);
  if (!targets.length) return allow();
  // Only for a write: without an id, finding the client walks up the process tree (ps per
  // ancestor on macOS), which the hook must not pay on every read and every shell command.
  const identity = guardIdentity(input.agent, input.env, request.sessionId);
  const dir = coordinationDir({ root, cwd: input.cwd, env: input.env, dir: input.dir });
  const target = chooseStore({ root, env: input.env, ...(input.store ? { store: input.store } : {}), ...(input.scope ? { scope: input.scope } : {}) });
  const where = { dir, url: target.url, scope: target.scope };
  if (!input.claim) {
    // A missing dir holds no locks (and is not created); the database is asked in one query.
    const held = target.url ? await liveLocksInDatabase(where) : liveLocksIn(dir);
    return await outcome(decideFromLocks(held, identity.agentId, targets), identity, held);
  }
  return claim(where, identity, targets, input.env);
}

async function liveLocksInDatabase(where: { dir: string; url: string | null; scope: string }): Promise<LockRecord[]> {
  const { openStore } = await import('../core/open-store.js');
  const store = await openStore(where);
  try {
    return await store.listLocks();
  } finally {
    await store.close();
  }
}

async function claim(where: { dir: string; url: string | null; scope: string }, identity: GuardIdentity, targets: string[], env: NodeJS.ProcessEnv): Promise<GuardOutcome> {
  const [{ openStore }, { ownerFromEnvironment }] = await Promise.all([import('../core/open-store.js'), import('../core/ownership.js')]);
  const store = await openStore(where);
  try {
    const decision = await decideClaim(store, identity.agentId, targets, ownerFromEnvironment(env, 'cli'));
    return await outcome(decision, identity, decision.kind === 'block' ? await store.listLocks() : []);
  } finally {
    // close() writes the board when the claim changed it.
    await store.close();
  }
}

/** `locks`: the live locks, to say whether a holder holds the path or waits in line for it. */
async function outcome(decision: Decision, identity: GuardIdentity, locks: LockRecord[]): Promise<GuardOutcome> {
  if (decision.kind === 'allow') {
    if (!decision.claimed.length) return allow();
    return { code: 0, message: `agentvisor guard: ${identity.agentId} claimed ${decision.claimed.join(', ')}\n` };
  }
  const { blockReason } = await import('./reason.js');
  const message = blockReason(decision.blocked, { agentId: identity.agentId, needsFrom: identity.source !== 'env', locks });
  return { code: 2, message };
}

function allow(): GuardOutcome {
  return { code: 0, message: '' };
}
