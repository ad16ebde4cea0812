// `agentvisor guard --git-staged`: a pre-commit hook refusing a commit that touches paths another
// agent holds. Both sides of a rename count (--no-renames lists the deletion and the addition);
// the coordination dir never counts; paths outside root are not agentvisor's business.

import { spawnSync } from 'node:child_process';
import { join, relative, resolve, sep } from 'node:path';
import { formatClock } from '../core/clock-text.js';
import { AgentvisorError } from '../core/errors.js';
import { DEFAULT_AGENT_ID, validateAgentId } from '../core/ids.js';
import { holderConflicts } from '../core/rules/conflicts.js';
import { liveLocksIn } from '../core/fs-store/live-locks.js';
import { coordinationDir, findRoot } from '../core/location.js';
import { escapeLiteral } from '../core/glob/index.js';
import type { ConflictRecord } from '../core/records.js';
import { shellQuote } from './shell-quote.js';
import { literalTargets } from './targets.js';

export interface GitStagedInput {
  env: NodeJS.ProcessEnv;
  cwd: string;
  agent?: string;
  dir?: string;
}

export interface GitStagedOutcome {
  code: 0 | 1;
  message: string;
}

export async function gitStagedGuard(input: GitStagedInput): Promise<GitStagedOutcome> {
  const top = git(['rev-parse', '--show-toplevel'], input.cwd).trim();
  const staged = git(['diff', '--cached', '--name-only', '--no-renames', '-z'], top).split('\0').filter(Boolean);
  const root = findRoot({ cwd: input.cwd, env: input.env });
  const dir = coordinationDir({ root, cwd: input.cwd, env: input.env, dir: input.dir });
  const files = staged.map((p) => join(top, p)).filter((abs) => !isInside(abs, dir));
  const targets = literalTargets(files, root, top);
  if (!targets.length) return { code: 0, message: '' };

  const agentId = input.agent !== undefined ? validateAgentId(input.agent, '--agent') : input.env.AGENT_ID ? validateAgentId(input.env.AGENT_ID, 'AGENT_ID') : DEFAULT_AGENT_ID;
  // The live lock files, read as the store's check reads them (a missing dir holds none).
  const conflicts = holderConflicts(agentId, targets.map((path) => ({ path: escapeLiteral(path), mode: 'exclusive' as const })), liveLocksIn(dir));
  if (!conflicts.length) return { code: 0, message: '' };
  return { code: 1, message: refusal(conflicts, targets) };
}

function refusal(conflicts: ConflictRecord[], targets: string[], now: Date = new Date()): string {
  const byLock = new Map(targets.map((t) => [escapeLiteral(t), t]));
  const seen = new Set<string>();
  const lines = ['agentvisor: this commit touches paths that other agents hold:'];
  for (const c of conflicts) {
    const path = byLock.get(c.file_path) ?? c.file_path;
    if (seen.has(path)) continue;
    seen.add(path);
    lines.push(`  ${path}  held by ${c.locked_by ?? '?'} (lock ${c.lock_path ?? '?'}${c.since ? `, since ${formatClock(c.since, now)}` : ''})`);
  }
  const holders = [...new Set(conflicts.map((c) => c.locked_by).filter((h): h is string => h !== null))];
  lines.push(
    `Ask for them (${holders.map((h) => `agentvisor send ${shellQuote(h)} --type handoff "..."`).join('; ')}),`,
    'wait until they are released, or unstage them: git restore --staged <path>.',
  );
  return `${lines.join('\n')}\n`;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

function git(args: string[], cwd: string): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim();
    throw new AgentvisorError('GIT_FAILED', `git ${args.join(' ')} failed: ${why}`, { args });
  }
  return result.stdout;
}
