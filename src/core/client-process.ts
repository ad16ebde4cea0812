// The agent client a hook or an MCP server runs under (Claude Code, Codex, Gemini CLI): the first
// ancestor that is not a shell. Without AGENT_ID, the guard hook and the MCP server of one client
// session name their agent after it (its name, pid and start time), so they act as one agent.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isPortable } from '../platform/system.js';

export interface ClientProcess {
  pid: number;
  /** Clock ticks since boot (/proc), or seconds since the epoch (ps): only compared with itself. */
  start: number;
  name: string;
}

interface ProcessFacts {
  name: string;
  ppid: number;
  start: number;
}

/** Hook commands run through a shell (`sh -c 'agentvisor guard || exit 2'`): those do not count. */
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ksh', 'mksh', 'fish', 'ash', 'busybox']);
/** Far more than any chain of shells between a client and its hook. */
const MAX_DEPTH = 8;

/** The client this process runs under, or null when there is none to find (a parent that is init). */
export function findClientProcess(env: NodeJS.ProcessEnv = process.env, from: number = process.ppid): ClientProcess | null {
  const read = isPortable(env) ? readWithPs : readProc;
  let pid = from;
  for (let depth = 0; depth < MAX_DEPTH && pid > 1; depth++) {
    const facts = read(pid);
    if (facts === null) return null;
    if (!SHELLS.has(facts.name)) return { pid, start: facts.start, name: facts.name };
    pid = facts.ppid;
  }
  return null;
}

/** `<name>-<pid>-<start>`, e.g. `claude-41721-8812345`: a valid agent id for any process name. */
export function clientAgentId(client: ClientProcess): string {
  const name = client.name.replace(/[^A-Za-z0-9._-]/g, '').replace(/^[^A-Za-z0-9]+/, '').slice(0, 24) || 'client';
  return `${name}-${client.pid}-${client.start}`;
}

/** /proc/PID/stat: the name in parentheses (may hold spaces and `)`), then state, ppid, ... starttime. */
function readProc(pid: number): ProcessFacts | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : readWithPs(pid);
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = text.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const start = Number(fields[19]);
  if (!Number.isInteger(ppid) || !Number.isFinite(start)) return null;
  return { name: text.slice(open + 1, close), ppid, start };
}

/** Without /proc (macOS, or AGENTVISOR_PORTABLE=1): one `ps` per ancestor, start as epoch seconds. */
function readWithPs(pid: number): ProcessFacts | null {
  const result = spawnSync('ps', ['-o', 'ppid=', '-o', 'lstart=', '-o', 'comm=', '-p', String(pid)], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
  });
  const match = /^\s*(\d+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4})\s+(.+?)\s*$/.exec(result.stdout ?? '');
  if (result.status !== 0 || !match) return null;
  const started = Date.parse(`${match[2]} UTC`);
  if (!Number.isFinite(started)) return null;
  return { ppid: Number(match[1]), start: Math.floor(started / 1000), name: basename(match[3]!).replace(/^-/, '') };
}
