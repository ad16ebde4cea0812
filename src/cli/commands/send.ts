// `agentvisor send`: leave a message in an agent's inbox (or every known agent's with `*`), or end
// a stdin agent's input with `--end`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentvisorError } from '../../core/errors.js';
import { validateAgentId } from '../../core/ids.js';
import type { MessageRecord, MessageType } from '../../core/records.js';
import type { Store } from '../../core/store.js';
import { flag, stringOption } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { actingAgent, locate, proceeding, storeExists, withStore, type Place } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { warn, writeJson, writeLines } from '../output.js';

const TYPES: readonly MessageType[] = ['note', 'handoff', 'status'];
const CONFIG_FILE = 'agents.config.json';

export const command: CommandSpec = {
  name: 'send',
  summary: "Send a message to an agent's inbox (or `*` for every known agent).",
  usage: 'send TO MESSAGE [--from ID] [--type note|handoff|status] | send TO --end',
  details: `TO is an agent id known from agents.config.json or the board (a message sent before the agent
starts waits in its inbox), or \`*\` for every known agent but the sender. Several MESSAGE words are
joined with spaces. --end closes a stdin agent's input after its pending messages.

Exit codes: 0 sent; 2 unknown agent, malformed id, empty message or unknown type (nothing is sent).

Examples:
  agentvisor send api --type handoff 'please release src/api/**'
  agentvisor send '*' 'schema changed: rebase on main'
  agentvisor send reviewer --end`,
  options: {
    from: { type: 'string', valueName: 'ID', description: 'Sender id (default: AGENT_ID, else unknown_agent)' },
    agent: { type: 'string', valueName: 'ID', description: 'Same as --from' },
    type: { type: 'string', valueName: 'T', description: 'note (default), handoff or status' },
    end: { type: 'boolean', description: "End TO's stdin after its pending messages (stdin agents)" },
    json: { type: 'boolean', description: 'Print the message records sent as JSON' },
  },
  positionals: [
    { name: 'TO', description: 'An agent id, or * for every known agent', required: true },
    { name: 'MESSAGE', description: 'The message text', variadic: true },
  ],
  run,
};

async function run(ctx: CommandContext): Promise<number> {
  const place = locate(ctx);
  const [to = '', ...words] = ctx.args.positionals;
  if (to !== '*') validateAgentId(to, 'TO');
  const end = flag(ctx.args, 'end');
  const message = words.join(' ');
  const type = messageType(stringOption(ctx.args, 'type'));
  if (end && words.length) throw new AgentvisorError('INVALID_ARGUMENT', 'send --end takes no MESSAGE: it only closes the input', { option: '--end' });
  if (end && to === '*') throw new AgentvisorError('INVALID_ARGUMENT', 'send --end needs one agent id, not *', { option: '--end' });
  if (!end && message.trim() === '') throw new AgentvisorError('INVALID_MESSAGE', 'send: the MESSAGE is missing or empty (usage: agentvisor send TO MESSAGE)');
  const from = actingAgent(ctx, ['from', 'agent']);

  const configured = configuredAgents(place);
  // Unknown targets are refused before anything is opened, so a typo creates nothing.
  if (!storeExists(place)) recipients(to, from, configured);
  return withStore(place, async (store) => {
    // On the board: agents with an entry or an inbox, and lock holders (a conflict names them).
    const holders = (await store.listLocks()).map((l) => l.agent_id);
    const targets = recipients(to, from, [...configured, ...(await store.knownAgents()), ...holders]);
    proceeding(ctx);
    if (end) {
      await store.sendEnd(to, from);
      writeLines(ctx.stdout, [`ended ${to}'s input (after its pending messages)`]);
      return EXIT.ok;
    }
    if (!targets.length) warn(ctx.stderr, `no agent to send to: none is known besides ${from}`);
    const sent = await sendAll(store, targets, { from, type, message });
    if (flag(ctx.args, 'json')) writeJson(ctx.stdout, sent);
    else if (sent.length) writeLines(ctx.stdout, [`sent ${type} to ${sent.map((m) => m.to).join(', ')}`]);
    return EXIT.ok;
  });
}

function messageType(value: string | undefined): MessageType {
  if (value === undefined) return 'note';
  if ((TYPES as readonly string[]).includes(value)) return value as MessageType;
  throw new AgentvisorError('INVALID_ARGUMENT', `unknown message --type "${value}": use ${TYPES.join(', ')}`, { option: '--type', value });
}

/** Who gets the message; UNKNOWN_AGENT when TO is neither configured nor on the board. */
function recipients(to: string, from: string, known: string[]): string[] {
  const unique = [...new Set(known)].sort();
  if (to === '*') return unique.filter((id) => id !== from);
  if (unique.includes(to)) return [to];
  const listed = unique.length ? `known: ${unique.join(', ')}` : 'no agent is known yet';
  throw new AgentvisorError('UNKNOWN_AGENT', `unknown agent "${to}": not in ${CONFIG_FILE} nor on the board (${listed})`, { agent_id: to, known: unique });
}

async function sendAll(store: Store, targets: string[], m: { from: string; type: MessageType; message: string }): Promise<MessageRecord[]> {
  const sent: MessageRecord[] = [];
  for (const to of targets) sent.push(...(await store.send({ ...m, to })));
  return sent;
}

/**
 * Agent ids from <root>/agents.config.json, read cheaply (no schema: validating is `validate`'s
 * job, and zod costs 50 ms on this hot path). An unreadable config just contributes no ids.
 */
function configuredAgents(place: Place): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(place.root, CONFIG_FILE), 'utf8'));
  } catch {
    return [];
  }
  const agents = typeof parsed === 'object' && parsed !== null ? (parsed as { agents?: unknown }).agents : undefined;
  if (!Array.isArray(agents)) return [];
  return agents.map((a) => (a as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
}
