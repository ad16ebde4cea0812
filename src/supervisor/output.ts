// Agents' output: each line prefixed `[id] ` (coloured on a TTY, plain otherwise, like
// concurrently) on the run's stdout, and copied unprefixed to the agent's log file. `exec` passes
// its one command's stdout and stderr through untouched instead.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const COLOURS = [36, 35, 33, 32, 34, 31, 96, 95, 93, 92, 94, 91];

export interface OutputSink {
  stdout: Writable & { isTTY?: boolean };
  /** Pass output through unprefixed, stderr to this stream (exec). */
  passthroughStderr?: Writable;
  /** Force colours on or off; default: colour when stdout is a TTY and NO_COLOR is unset. */
  colour?: boolean;
}

export class AgentOutput {
  private readonly prefix: string;
  private logFd: number | null = null;
  private readonly open = new Set<Readable>();

  constructor(
    private readonly sink: OutputSink,
    id: string,
    index: number,
    private readonly logFile: string | null,
  ) {
    const colour = sink.colour ?? (sink.stdout.isTTY === true && process.env.NO_COLOR === undefined);
    this.prefix = colour ? `\x1b[${COLOURS[index % COLOURS.length]}m[${id}]\x1b[0m ` : `[${id}] `;
  }

  /** Follow one of the agent's output streams until it ends (or `detach` gives up on it). */
  follow(stream: Readable, from: 'stdout' | 'stderr' = 'stdout'): void {
    let partial = '';
    this.open.add(stream);
    stream.setEncoding('utf8');
    const passthrough = this.sink.passthroughStderr;
    stream.on('data', (chunk: string) => {
      if (passthrough) {
        (from === 'stderr' ? passthrough : this.sink.stdout).write(chunk);
        this.writeLog(chunk);
        return;
      }
      const text = partial + chunk;
      const last = text.lastIndexOf('\n');
      if (last < 0) {
        partial = text;
        return;
      }
      partial = text.slice(last + 1);
      this.emit(text.slice(0, last + 1));
    });
    const finish = (): void => {
      if (!this.open.delete(stream)) return;
      if (partial) this.emit(`${partial}\n`);
      partial = '';
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  }

  /** Wait up to `ms` for the followed streams to end (a grandchild may hold a pipe), then cut them. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.open.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const stream of [...this.open]) {
      stream.emit('close');
      stream.destroy();
    }
  }

  /** A line of the supervisor's own about this agent, in the agent's log file only. */
  note(line: string): void {
    this.writeLog(`--- agentvisor: ${line}\n`);
  }

  close(): void {
    if (this.logFd !== null) closeSync(this.logFd);
    this.logFd = null;
  }

  private emit(lines: string): void {
    const body = lines.endsWith('\n') ? lines.slice(0, -1) : lines;
    this.sink.stdout.write(`${body.split('\n').map((line) => this.prefix + line).join('\n')}\n`);
    this.writeLog(lines);
  }

  private writeLog(text: string): void {
    if (this.logFile === null) return;
    try {
      if (this.logFd === null) {
        mkdirSync(dirname(this.logFile), { recursive: true });
        this.logFd = openSync(this.logFile, 'a');
      }
      writeSync(this.logFd, text);
    } catch {
      // A full disk must not stop the agent; the prefixed copy on stdout still goes out.
    }
  }
}
