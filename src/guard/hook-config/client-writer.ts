// One `init` writer per agent client: merge the guard hook, the message hook and the agentvisor MCP
// server into that client's project config. The three clients differ in files, events, matchers,
// timeout unit, project-dir variable and where an MCP server is registered.

import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InitContext, InitPlan, InitWriter } from '../../cli/init/writer.js';
import { stringOption } from '../../cli/args.js';
import { blockingHookCommand } from '../hook-command.js';
import { GUARD_COMMAND_OPTION, guardCommandFor, isGuardHookCommand } from './guard-command.js';
import { mergeSettings, writeAtomically, type HookSpec, type Json } from './json-settings.js';
import { isMessageHookCommand, messageHookCommandFor, mcpServerFor, type McpServerEntry } from './mcp-entry.js';

export interface ClientHook {
  /** The init flag, e.g. `claude`. */
  flag: string;
  client: string;
  /** The settings file, relative to root. */
  file: string;
  event: string;
  matcher: string;
  /** The hook's timeout field, in the client's own unit. */
  timeout: number;
  projectDirVariable?: string;
  /** Extra fields of the hook object (Gemini's `name`). */
  extra?: Record<string, string>;
  /** Where the message hook runs (after each tool call, at each prompt), and its timeout. */
  messageEvents: { event: string; matcher: string | null }[];
  messageTimeout: number;
  messageExtra?: Record<string, string>;
  /** What else the settings file gets for the MCP server (Claude Code: its tools allowed). */
  settingsPatch?: (settings: Json, server: McpServerEntry) => Json;
  /** Another file the MCP server is registered in: its new text, null when already there. */
  mcpFile?: { file: string; text: (file: string, server: McpServerEntry) => string | null | { invalid: string } };
  /** Said after writing: what else the user must do, if anything. */
  after?: (root: string) => string;
}

export function clientHookWriter(spec: ClientHook): InitWriter {
  return {
    name: spec.flag,
    options: {
      [spec.flag]: { type: 'boolean', description: `Write ${spec.client}'s config (${spec.file}) to run the agentvisor guard, message hook and MCP server` },
      ...GUARD_COMMAND_OPTION,
    },
    enabled: (ctx) => ctx.args.values[spec.flag] === true,
    plan: (ctx) => planClientHook(spec, ctx),
  };
}

export function planClientHook(spec: ClientHook, ctx: InitContext): InitPlan {
  const file = join(ctx.root, spec.file);
  const shown = (f: string): string => relative(ctx.cwd, f) || f;
  const guard = guardCommandFor({ root: ctx.root, given: stringOption(ctx.args, 'guard-command'), projectDirVariable: spec.projectDirVariable });
  const command = blockingHookCommand(guard);
  const server = mcpServerFor(ctx.root);
  const merged = mergeSettings(file, hookSpecs(spec, guard, command), spec.settingsPatch ? (s) => spec.settingsPatch!(s, server) : undefined);
  if (merged.kind === 'invalid') return { kind: 'refuse', file, reason: merged.reason };
  const mcpFile = spec.mcpFile ? join(ctx.root, spec.mcpFile.file) : null;
  const mcpText = spec.mcpFile && mcpFile ? spec.mcpFile.text(mcpFile, server) : null;
  if (mcpText !== null && typeof mcpText === 'object') return { kind: 'refuse', file: mcpFile!, reason: mcpText.invalid };
  if (merged.kind === 'unchanged' && mcpText === null) return { kind: 'skip', file, reason: `${shown(file)} already runs agentvisor guard` };
  const wrote = [merged.kind === 'changed' ? `${merged.created ? 'wrote' : 'added the agentvisor hooks to'} ${shown(file)} (${spec.event} ${spec.matcher}: ${command})` : null];
  if (mcpText !== null) wrote.push(`registered the agentvisor MCP server in ${shown(mcpFile!)}`);
  return {
    kind: 'write',
    file,
    done: `${wrote.filter(Boolean).join('\n')}${spec.after ? `\n${spec.after(ctx.root)}` : ''}`,
    apply: () => {
      if (merged.kind === 'changed') writeAtomically(file, merged.text);
      if (mcpText !== null) writeAtomically(mcpFile!, mcpText);
    },
  };
}

function hookSpecs(spec: ClientHook, guard: string, command: string): HookSpec[] {
  const specs: HookSpec[] = [{ event: spec.event, matcher: spec.matcher, hook: { ...spec.extra, type: 'command', command, timeout: spec.timeout }, isOurs: isGuardHookCommand }];
  // A --guard-command that does not end in `guard` says nothing of how to reach `inbox --hook`.
  const messages = messageHookCommandFor(guard);
  if (messages === null) return specs;
  for (const { event, matcher } of spec.messageEvents) {
    specs.push({ event, matcher, hook: { ...spec.messageExtra, type: 'command', command: messages, timeout: spec.messageTimeout }, isOurs: isMessageHookCommand });
  }
  return specs;
}

/** A JSON file with `mcpServers.agentvisor`: its new text, null when unchanged, or why it cannot be merged. */
export function jsonMcpFile(file: string, server: Json): string | null | { invalid: string } {
  let value: unknown = {};
  if (existsSync(file)) {
    try {
      const text = readFileSync(file, 'utf8');
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      return { invalid: `${file} is not valid JSON (${(error as Error).message}); fix it by hand, it was left untouched` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { invalid: `${file} does not hold a JSON object; it was left untouched` };
  const settings = value as Json;
  const servers = (settings.mcpServers ?? {}) as Json;
  if (JSON.stringify(servers.agentvisor) === JSON.stringify(server)) return null;
  return `${JSON.stringify({ ...settings, mcpServers: { ...servers, agentvisor: server } }, null, 2)}\n`;
}
