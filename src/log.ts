// agentvisor's own log lines (never agents' output): the only module that imports pino. Pretty and
// synchronous in-process on a TTY (a worker-thread transport loses lines on exit), JSON lines when
// CI is set or `--log-format json`. Messages are whole sentences, so the pretty form hides fields.

import { pino, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';

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
  const stream = pretty({
    colorize: options.stream.isTTY === true,
    sync: true,
    destination: options.stream,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    hideObject: true,
    messageFormat: '{if agent}[{agent}] {end}{msg}',
  });
  return pino({ level, base }, stream);
}

/** A logger that drops everything (library use without a CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
