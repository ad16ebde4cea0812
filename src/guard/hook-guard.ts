// `agentvisor guard` as a pre-tool hook: payload → literal paths under root → decision → the exit
// code and words the client reads (0 allow; 2 block, reason on stderr). Opens the store only when
// the tool writes a path inside root and a coordination dir exists (or --claim needs one).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { coordinationDir, findRoot } from '../core/location.js';
import { openStore } from '../core/open-store.js';
import { ownerFromEnvironment } from '../core/ownership.js';
import { decide, type Decision } from './decide.js';
import { guardIdentity, type GuardIdentity } from './identity.js';
import { parseHookPayload } from './payload.js';
import { blockReason } from './reason.js';
import { literalTargets } from './targets.js';

export interface HookGuardInput {
  payload: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  agent?: string;
  dir?: string;
  claim: boolean;
}

export interface GuardOutcome {
  code: 0 | 2;
  /** Said on stderr: the reason for a block, or a note about what was claimed. */
  message: string;
}

export async function hookGuard(input: HookGuardInput): Promise<GuardOutcome> {
  const request = parseHookPayload(input.payload);
  const identity = guardIdentity(input.agent, input.env, request.sessionId);
  if (!request.paths.length) return allow();
  const base = resolve(input.cwd, request.cwd ?? '.');
  const root = findRoot({ cwd: base, env: input.env });
  const targets = literalTargets(request.paths, root, base);
  if (!targets.length) return allow();
  const dir = coordinationDir({ root, cwd: input.cwd, env: input.env, dir: input.dir });
  if (!input.claim && !existsSync(dir)) return allow();

  const store = await openStore({ dir });
  try {
    const owner = ownerFromEnvironment(input.env, 'cli');
    const decision = await decide(store, identity.agentId, targets, { claim: input.claim, owner });
    return await outcome(decision, identity, () => store.listLocks());
  } finally {
    // close() writes the board when a claim changed it; a check alone takes no mutex at all.
    await store.close();
  }
}

async function outcome(decision: Decision, identity: GuardIdentity, listLocks: Store['listLocks']): Promise<GuardOutcome> {
  if (decision.kind === 'allow') {
    if (!decision.claimed.length) return allow();
    return { code: 0, message: `agentvisor guard: ${identity.agentId} claimed ${decision.claimed.join(', ')}\n` };
  }
  const locks = await listLocks();
  const message = blockReason(decision.blocked, { agentId: identity.agentId, needsFrom: identity.source !== 'env', locks });
  return { code: 2, message };
}

function allow(): GuardOutcome {
  return { code: 0, message: '' };
}

type Store = Awaited<ReturnType<typeof openStore>>;
