#!/usr/bin/env node
// The agentvisor executable: finds the command, loads only that command's module (hot paths such
// as guard and lock must not pay for the supervisor's dependencies), runs it, and exits. The only
// module that calls process.exit.

import { formatHelp, parseCommandArgs } from './args.js';
import type { CommandSpec } from './command.js';
import { exitCodeForError, formatError } from './exit-codes.js';
import { unsupportedPlatform } from '../platform/system.js';

type Loader = () => Promise<{ command: CommandSpec }>;

/** Every command, loaded on demand. Order is the order of `agentvisor --help`. */
const COMMANDS: Record<string, Loader> = {
  run: () => import('./commands/run.js'),
  exec: () => import('./commands/exec.js'),
  status: () => import('./commands/status.js'),
  lock: () => import('./commands/lock.js'),
  unlock: () => import('./commands/unlock.js'),
  check: () => import('./commands/check.js'),
  send: () => import('./commands/send.js'),
  inbox: () => import('./commands/inbox.js'),
  cleanup: () => import('./commands/cleanup.js'),
  validate: () => import('./commands/validate.js'),
  init: () => import('./commands/init.js'),
  guard: () => import('./commands/guard.js'),
  mcp: () => import('./commands/mcp.js'),
  dashboard: () => import('./commands/dashboard.js'),
};

const SUMMARIES: Record<string, string> = {
  run: 'launch every agent of agents.config.json: locks first, heartbeats, messages, crash-safe cleanup',
  exec: 'run one command as an agent, with its locks, without a config file',
  status: 'agents, locks, recent conflicts and pending messages',
  lock: 'acquire locks on paths or globs, all or nothing',
  unlock: "release this agent's locks (--force: someone else's)",
  check: 'report conflicts for paths without taking them',
  send: "send a message to an agent's inbox (or `*` for all)",
  inbox: "read this agent's messages, oldest first",
  cleanup: 'reclaim stale locks',
  validate: 'check agents.config.json without running it',
  init: 'write a starter agents.config.json and hook configs',
  guard: 'pre-tool hook for Claude Code, Codex, Gemini CLI and git: block edits of paths others hold',
  mcp: 'MCP server on stdio: lock, unlock, check, status, send, inbox and request_handoff as tools',
  dashboard: 'serve a live web page of agents, locks, waiters, conflicts and messages',
};

function topLevelHelp(): string {
  const options = [
    ['-h, --help', "show this help (`agentvisor <command> --help` for a command's options)"],
    ['-v, --version', 'print the version'],
  ];
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length), ...options.map(([o]) => o!.length));
  const rows = Object.keys(COMMANDS).map((name) => `  ${name.padEnd(width)}  ${SUMMARIES[name] ?? ''}`);
  return [
    'Usage: agentvisor <command> [options]',
    '',
    'Run several AI coding agents on one repository without trampling each other.',
    '',
    'Commands:',
    ...rows,
    '',
    'Options:',
    ...options.map(([o, text]) => `  ${o!.padEnd(width)}  ${text}`),
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const unsupported = unsupportedPlatform();
  if (unsupported !== null) {
    process.stderr.write(`agentvisor: ${unsupported}\n`);
    return 1;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === '-V') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`agentvisor: unknown command "${name}"\n\n${topLevelHelp()}`);
    return 2;
  }
  const { command } = await load();
  failureExitCode = command.failureExitCode;
  exitWhenDone = command.exitWhenDone === true;
  if (rest.includes('--help') || rest.includes('-h')) {
    const dashDash = rest.indexOf('--');
    const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
    if (dashDash < 0 || helpAt < dashDash) {
      process.stdout.write(formatHelp(command));
      return 0;
    }
  }
  const args = parseCommandArgs(command, rest);
  const controller = new AbortController();
  if (!command.handlesSignals) stopOnSignals(controller);
  return command.run({
    args,
    // Getters: each stdio stream costs a few ms to set up (a pipe is a net.Socket), and hooks such
    // as guard must not pay for streams they never touch.
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
}

/**
 * The first SIGINT/SIGTERM asks the command to stop (signal.reason is the signal's name, so it can
 * exit 130 or 143); a second one exits at once, for a command stuck somewhere that cannot stop.
 */
function stopOnSignals(controller: AbortController): void {
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
      controller.abort(name);
    });
  }
}

let failureExitCode: number | undefined;
let exitWhenDone = false;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (exitWhenDone) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = failureExitCode ?? exitCodeForError(error);
  },
);
