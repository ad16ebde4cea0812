// agentvisor's own log lines (never agents' output): the only module that imports pino. Pretty and
// synchronous in-process on a TTY (a worker-thread transport loses lines on exit), JSON lines when
// CI is set or `--log-format json`. Messages are whole sentences, so the pretty form hides fields.
// The pretty form is pino-pretty's (`[HH:MM:ss.l] LEVEL: [agent] msg`, its colours) drawn by a few
// lines here (no colour without a TTY or with NO_COLOR): pino-pretty and its 15 modules cost ~20 ms
// of every run's start for one format string.

import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogFormat = 'pretty' | 'json';

export interface LogOptions {
  /** Where lines go (the CLI passes its stderr). */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** From `--log-format`; wins over the environment. */
  format?: LogFormat;
  level?: string;
}

/** The contract's rule: `--log-format` if given, else JSON when `CI` is set, else pretty. */
export function chooseLogFormat(explicit: LogFormat | undefined, env: NodeJS.ProcessEnv): LogFormat {
  if (explicit) return explicit;
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0' ? 'json' : 'pretty';
}

export function createLogger(options: LogOptions): Logger {
  const format = chooseLogFormat(options.format, options.env);
  const level = options.level ?? options.env.AGENTVISOR_LOG_LEVEL ?? 'info';
  const base = { name: 'agentvisor' };
  if (format === 'json') {
    return pino({ level, base: { ...base, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, options.stream);
  }
  const stream = new PrettyStream(options.stream, options.stream.isTTY === true && options.env.NO_COLOR === undefined);
  return pino({ level, base }, stream);
}

/** pino level → label, and its colour on a TTY (pino-pretty's). */
const LEVELS: Record<number, { label: string; on: string; off: string }> = {
  10: { label: 'TRACE', on: '\x1b[90m', off: '\x1b[39m' },
  20: { label: 'DEBUG', on: '\x1b[34m', off: '\x1b[39m' },
  30: { label: 'INFO', on: '\x1b[32m', off: '\x1b[39m' },
  40: { label: 'WARN', on: '\x1b[33m', off: '\x1b[39m' },
  50: { label: 'ERROR', on: '\x1b[31m', off: '\x1b[39m' },
  60: { label: 'FATAL', on: '\x1b[41m', off: '\x1b[49m' },
};

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time as HH:MM:ss.l. */
function clock(epochMs: number): string {
  const t = new Date(epochMs);
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${String(t.getMilliseconds()).padStart(3, '0')}`;
}

/** One pino JSON line as `[time] LEVEL: [agent] msg` (fields other than agent and msg hidden). */
export function prettyLine(json: string, colour: boolean): string {
  let entry: { level?: unknown; time?: unknown; agent?: unknown; msg?: unknown };
  try {
    entry = JSON.parse(json) as typeof entry;
  } catch {
    return json;
  }
  const level = LEVELS[typeof entry.level === 'number' ? entry.level : 30] ?? { label: 'USERLVL', on: '', off: '' };
  const time = typeof entry.time === 'number' ? entry.time : Date.now();
  const message = `${entry.agent ? `[${String(entry.agent)}] ` : ''}${entry.msg === undefined ? '' : String(entry.msg)}`;
  const label = colour ? `${level.on}${level.label}${level.off}` : level.label;
  const body = colour && message !== '' ? `\x1b[36m${message}\x1b[39m` : message;
  return `[${clock(time)}] ${label}: ${body}\n`;
}

/** pino's destination for the pretty form: each line formatted and written at once. */
class PrettyStream {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly colour: boolean,
  ) {}

  write(line: string): boolean {
    this.out.write(prettyLine(line, this.colour));
    return true;
  }
}

/** A logger that drops everything (library use without a CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
