// `agentvisor guard`: the pre-tool hook (Claude Code, Codex, Gemini CLI) and, with --git-staged,
// the git pre-commit hook. Every failure of its own blocks: exit 2 with what failed, since a client
// lets the edit through on exit 1 or a timeout. Loads no yargs, zod, execa, pino or chokidar, and
// of its own modules only those of the mode it runs in: it starts on every edit an agent makes.

import { fstatSync, writeSync } from 'node:fs';
import { flag, stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { readHookInput } from '../hook-stdin.js';

/** The guard gives up (and blocks) after this long rather than hold the agent up. */
const DEFAULT_DEADLINE_MS = 20_000;
const BLOCK = 2;

export const command: CommandSpec = {
  name: 'guard',
  summary: "Pre-tool hook: block an agent's file edit of a path that another agent holds.",
  usage: 'guard [--agent ID] [--claim] | guard --git-staged [--agent ID]',
  details: `Reads the hook JSON on stdin: Claude Code PreToolUse (Write, Edit, MultiEdit, NotebookEdit),
Codex PreToolUse (apply_patch) or Gemini CLI BeforeTool (write_file, replace). Every path the tool
would write is a literal path (app/[id]/page.tsx is that file). Paths outside root, and tools that
write no file, are allowed. Without --agent or AGENT_ID the identity is session-<session id>.

Hook command: agentvisor guard || exit 2   (so that even a crash at load blocks the edit)
Install: agentvisor init --claude | --codex | --gemini | --git-hook

Exit codes: 0 allow; 2 block (reason on stderr), and on any failure of the guard itself.
With --git-staged: 0 the commit may go ahead; 1 it touches paths that other agents hold.`,
  options: {
    agent: { type: 'string', valueName: 'ID', description: 'Agent id (default: AGENT_ID, else session-<hook session id>)' },
    claim: { type: 'boolean', description: 'Take a free path for this agent (an exclusive lock) instead of just allowing' },
    'git-staged': { type: 'boolean', description: 'Run as a git pre-commit hook over the staged paths' },
  },
  failureExitCode: BLOCK,
  exitWhenDone: true,
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const gitStaged = flag(ctx.args, 'git-staged');
  try {
    const outcome = await withDeadline(deadlineMs(ctx.env), gitStaged ? checkStaged(ctx) : checkHook(ctx));
    if (outcome.message) say(ctx, outcome.message);
    return outcome.code;
  } catch (error) {
    const what = error instanceof Error ? error.message : String(error);
    if (gitStaged) {
      say(ctx, `agentvisor guard --git-staged: could not check the staged paths, so the commit is refused: ${what}\n`);
      return 1;
    }
    say(ctx, `agentvisor guard: the edit is blocked because the guard failed: ${what}\n`);
    return BLOCK;
  }
}

async function checkHook(ctx: CommandContext): Promise<{ code: number; message: string }> {
  if (await stdinIsTerminal()) {
    throw new Error('guard reads a hook payload (JSON) on stdin; it is meant to run as a pre-tool hook (see agentvisor guard --help)');
  }
  const payload = await readHookInput(ctx.stdin);
  const { hookGuard } = await import('../../guard/hook-guard.js');
  return hookGuard({
    payload,
    env: ctx.env,
    cwd: ctx.cwd,
    agent: stringOption(ctx.args, 'agent'),
    dir: stringOption(ctx.args, 'dir'),
    store: stringOption(ctx.args, 'store'),
    scope: stringOption(ctx.args, 'scope'),
    claim: flag(ctx.args, 'claim'),
  });
}

async function checkStaged(ctx: CommandContext): Promise<{ code: number; message: string }> {
  if (flag(ctx.args, 'claim')) throw new Error('--claim does not apply to --git-staged');
  const { gitStagedGuard } = await import('../../guard/git-staged.js');
  return gitStagedGuard({ env: ctx.env, cwd: ctx.cwd, agent: stringOption(ctx.args, 'agent'), dir: stringOption(ctx.args, 'dir') });
}

/** Only a character device can be a terminal: pipes and files (every hook's stdin) skip loading tty. */
async function stdinIsTerminal(): Promise<boolean> {
  if (!fstatSync(0).isCharacterDevice()) return false;
  const { isatty } = await import('node:tty');
  return isatty(0);
}

/**
 * stderr written with plain writes: on a pipe, process.stderr is a net.Socket that takes ~1 ms to
 * set up. Whatever a non-blocking stderr (EAGAIN) or a failed write leaves goes through the stream.
 */
function say(ctx: CommandContext, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(2, bytes, written);
  } catch {
    ctx.stderr.write(bytes.subarray(written));
  }
}

function deadlineMs(env: NodeJS.ProcessEnv): number {
  const raw = Number(env.AGENTVISOR_GUARD_DEADLINE_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_DEADLINE_MS;
}

function withDeadline<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no decision within ${ms} ms (is the coordination dir on a hung file system?)`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
