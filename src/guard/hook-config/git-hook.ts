// `init --git-hook`: install `agentvisor guard --git-staged` as the git pre-commit hook, where git
// looks for hooks (core.hooksPath when set, else the repository's hooks dir, worktrees included).
// An existing pre-commit hook is kept and run first (moved beside ours), never clobbered; a second
// install changes nothing.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { InitContext, InitPlan, InitWriter } from '../../cli/init/writer.js';
import { stringOption } from '../../cli/args.js';
import { AgentvisorError } from '../../core/errors.js';
import { GUARD_COMMAND_OPTION, guardCommandFor } from './guard-command.js';
import { writeAtomically } from './json-settings.js';

export const HOOK_MARKER = '# agentvisor guard --git-staged';
export const CHAINED_NAME = 'pre-commit.before-agentvisor';

export const gitHook: InitWriter = {
  name: 'git-hook',
  options: {
    'git-hook': { type: 'boolean', description: 'Install agentvisor guard --git-staged as the git pre-commit hook' },
    ...GUARD_COMMAND_OPTION,
  },
  enabled: (ctx) => ctx.args.values['git-hook'] === true,
  plan: planGitHook,
};

export function planGitHook(ctx: InitContext): InitPlan {
  const hooksDir = gitHooksDir(ctx.cwd);
  const file = join(hooksDir, 'pre-commit');
  const chained = join(hooksDir, CHAINED_NAME);
  const shown = relative(ctx.cwd, file) || file;
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (existing !== null && existing.includes(HOOK_MARKER)) return { kind: 'skip', file, reason: `${shown} already runs agentvisor guard --git-staged` };
  if (existing !== null && existsSync(chained)) {
    return { kind: 'refuse', file, reason: `${shown} exists and so does ${CHAINED_NAME} beside it: merge them by hand, then run init --git-hook again` };
  }
  const guard = guardCommandFor({ root: ctx.root, given: stringOption(ctx.args, 'guard-command') });
  const script = hookScript(guard);
  return {
    kind: 'write',
    file,
    done: existing === null ? `wrote the git pre-commit hook ${shown}` : `installed the git pre-commit hook ${shown}; your previous hook runs first (${CHAINED_NAME})`,
    apply: () => {
      if (existing !== null) renameSync(file, chained);
      writeAtomically(file, script);
      chmodSync(file, 0o755);
    },
  };
}

function hookScript(guardCommand: string): string {
  return [
    '#!/bin/sh',
    `${HOOK_MARKER} (installed by agentvisor init --git-hook)`,
    '# Refuses a commit that touches files another agent holds. Bypass once: git commit --no-verify',
    `chained="$(dirname "$0")/${CHAINED_NAME}"`,
    'if [ -x "$chained" ]; then',
    '  "$chained" "$@" || exit $?',
    'fi',
    `${guardCommand} --git-staged`,
    '',
  ].join('\n');
}

/** Where git runs hooks from: core.hooksPath (relative to the work tree top) or <git dir>/hooks. */
export function gitHooksDir(cwd: string): string {
  const configured = git(['config', '--get', 'core.hooksPath'], cwd, true).trim();
  if (configured !== '') {
    const top = git(['rev-parse', '--show-toplevel'], cwd).trim();
    const expanded = configured.startsWith('~/') ? join(process.env.HOME ?? '', configured.slice(2)) : configured;
    return isAbsolute(expanded) ? expanded : resolve(top, expanded);
  }
  return resolve(cwd, git(['rev-parse', '--git-common-dir'], cwd).trim(), 'hooks');
}

function git(args: string[], cwd: string, allowMissing = false): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (allowMissing && result.status === 1 && !result.error) return '';
  if (result.error || result.status !== 0) {
    const why = result.error?.message ?? (result.stderr.trim() || `exit ${result.status}`);
    throw new AgentvisorError('GIT_FAILED', `init --git-hook needs a git repository: git ${args.join(' ')} failed: ${why}`, { args, cwd });
  }
  return result.stdout;
}
