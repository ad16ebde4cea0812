// `agentvisor inbox`: this agent's unread messages, oldest first, marked read unless --peek;
// `--follow` keeps printing new ones until interrupted.

import { openStore } from '../../core/open-store.js';
import type { MessageRecord } from '../../core/records.js';
import type { Store } from '../../core/store.js';
import { AGENT_OPTION, flag } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { actingAgent, locate, proceeding, storeExists, storeOptions, untilAborted, withStore, type Place } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatClock, warn, writeJson, writeJsonLine, writeLines } from '../output.js';

export const command: CommandSpec = {
  name: 'inbox',
  summary: "Read this agent's messages, oldest first.",
  usage: 'inbox [--agent ID] [--json] [--peek] [--follow] | inbox --hook [--agent ID]',
  details: `Each message is printed once, as \`from (type, time): message\`, and marked read (--peek leaves
it unread); an empty inbox says "no messages for ID" on a terminal and prints nothing to a pipe.
--json prints a JSON array of message records ([] when there are none); with --follow, one record
per line.
--follow prints messages as they arrive, until Ctrl-C.

--hook runs as an agent client's hook (Claude Code and Codex PostToolUse and UserPromptSubmit,
Gemini CLI AfterTool and BeforeAgent): it reads the hook JSON on stdin and hands the unread
messages to the model as the hook's additionalContext, marking them read. The agent is --agent,
else AGENT_ID, else the client process it runs under (as for guard). It always exits 0: a message
hook never blocks the client. \`agentvisor run\` and \`init --claude|--codex|--gemini\` install it.

Exit codes: 0; 2 malformed id.`,
  options: {
    agent: AGENT_OPTION,
    json: { type: 'boolean', description: 'Print message records as JSON (JSON lines with --follow)' },
    peek: { type: 'boolean', description: 'Look without marking messages read' },
    follow: { type: 'boolean', description: 'Keep printing new messages until interrupted' },
    hook: { type: 'boolean', description: "Run as a client's message hook: hook JSON on stdin, messages as the model's context on stdout" },
  },
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  if (flag(ctx.args, 'hook')) return (await import('../message-hook-command.js')).runMessageHook(ctx);
  const place = locate(ctx);
  const agentId = actingAgent(ctx);
  const peek = flag(ctx.args, 'peek');
  const json = flag(ctx.args, 'json');
  proceeding(ctx);
  if (flag(ctx.args, 'follow')) return follow(ctx, place, agentId, { peek, json });
  const print = (messages: MessageRecord[]): void => {
    if (json) writeJson(ctx.stdout, messages);
    // An empty inbox: said to a person; a pipe gets nothing, as with any empty list.
    else if (messages.length === 0 && ctx.stdout.isTTY === true) writeLines(ctx.stdout, [`no messages for ${agentId}`]);
    else writeLines(ctx.stdout, messages.map(messageLine));
  };
  // No coordination dir: no messages, and nothing is created by looking.
  if (!storeExists(place)) print([]);
  else if (peek) print(await withStore(place, (store) => store.readMessages(agentId, { peek })));
  else await withStore(place, (store) => printClaimed(store, agentId, print));
  return EXIT.ok;
}

/**
 * Messages are marked read only once printed: claimed first, printed, then settled. Killed before
 * printing, the next `inbox` shows them again (killed between printing and settling, too).
 */
async function printClaimed(store: Store, agentId: string, print: (messages: MessageRecord[]) => void): Promise<void> {
  const claim = await store.claimInbox(agentId, { ends: 'skip' });
  print(claim.entries.flatMap((e) => (e.kind === 'message' ? [e.record] : [])));
  await claim.settle(claim.entries.length);
}

/** `from (type, 10:02:13): message`, continuation lines indented. */
function messageLine(m: MessageRecord): string {
  return `${m.from} (${m.type}, ${formatClock(m.timestamp)}): ${m.message.replace(/\n/g, '\n  ')}`;
}

async function follow(ctx: CommandContext, place: Place, agentId: string, o: { peek: boolean; json: boolean }): Promise<number> {
  const store = await openStore(storeOptions(place));
  // With --peek nothing is consumed, so remember what was shown to show each message once.
  const shown = new Set<string>();
  let queued: Promise<void> = Promise.resolve();
  const print = (messages: MessageRecord[]): void => {
    for (const m of messages) {
      if (shown.has(m.id)) continue;
      if (o.peek) shown.add(m.id);
      if (o.json) writeJsonLine(ctx.stdout, m);
      else writeLines(ctx.stdout, [messageLine(m)]);
    }
  };
  const drain = async (): Promise<void> => {
    if (ctx.signal.aborted) return;
    if (o.peek) print(await store.readMessages(agentId, { peek: true }));
    else await printClaimed(store, agentId, print);
  };
  const schedule = (): Promise<void> =>
    (queued = queued.then(drain).catch((error: unknown) => warn(ctx.stderr, `inbox: ${(error as Error).message}`)));

  try {
    // Watch first, then read: a message landing in between is seen by one or the other.
    const stop = await store.watchInbox(agentId, () => void schedule());
    try {
      await schedule();
      await untilAborted(ctx.signal);
    } finally {
      await stop();
      await queued;
    }
    await store.flushBoard();
  } finally {
    await store.close();
  }
  return EXIT.ok;
}
