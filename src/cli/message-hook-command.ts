// `inbox --hook` as a command: the hook JSON read from stdin, the client's JSON written to stdout,
// and every failure said on stderr with exit 0 (a message hook must never block the client: exit 2
// from a UserPromptSubmit hook would discard the user's prompt).

import { stringOption } from './args.js';
import type { CommandContext } from './command.js';
import { EXIT } from './exit-codes.js';
import { readHookInput } from './hook-stdin.js';

export async function runMessageHook(ctx: CommandContext): Promise<number> {
  try {
    const payload = await readHookInput(ctx.stdin);
    const { messageHook } = await import('../guard/message-hook.js');
    await messageHook({
      payload,
      env: ctx.env,
      cwd: ctx.cwd,
      agent: stringOption(ctx.args, 'agent'),
      dir: stringOption(ctx.args, 'dir'),
      write: (text) => ctx.stdout.write(text),
    });
  } catch (error) {
    ctx.stderr.write(`agentvisor inbox --hook: messages not delivered this time: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return EXIT.ok;
}
