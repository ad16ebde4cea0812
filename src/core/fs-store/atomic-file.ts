// File steps of the store, each a named fault point, each failing as STORE_IO naming the step and
// errno: write a temp file then link it into place (a new file, never replacing one) or rename it
// (an update); readers never see half a file. Temp files carry the writer's pid so leftovers of a
// killed writer can be swept.

import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AgentvisorError } from '../errors.js';
import { fault } from '../faults.js';

export const TEMP_PREFIX = '.tmp.';
let tempCounter = 0;

export function storeIoError(step: string, error: unknown, path?: string): AgentvisorError {
  if (error instanceof AgentvisorError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN';
  const detail = (error as Error)?.message ?? String(error);
  return new AgentvisorError(
    'STORE_IO',
    `the file store failed at step ${step}${path ? ` on ${path}` : ''}: ${code} (${detail})`,
    { step, errno: code, path },
    { cause: error },
  );
}

/** Run one file step: its fault point, then the call; any failure becomes STORE_IO. */
export function step<T>(name: string, path: string, call: () => T): T {
  try {
    fault(name);
    return call();
  } catch (error) {
    throw storeIoError(name, error, path);
  }
}

/** A temp name beside `target` (same file system, so link and rename work). */
export function tempPathFor(target: string, tempDir: string = dirname(target)): string {
  tempCounter += 1;
  return join(tempDir, `${TEMP_PREFIX}${process.pid}.${tempCounter}.${basename(target)}`);
}

/** The pid a temp file's name carries, or null for names that are not ours. */
export function tempOwner(name: string): number | null {
  if (!name.startsWith(TEMP_PREFIX)) return null;
  const pid = Number(name.slice(TEMP_PREFIX.length).split('.')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or not ours to worry about: cleanup is best effort
  }
}

export interface WriteOptions {
  /** Fault point prefix and step name in errors, e.g. `lock-file`. */
  step: string;
  /** Where the temp file goes (default: beside the target). */
  tempDir?: string;
  durable?: boolean;
  /** Checked after the temp file is written, just before it replaces the target: false leaves the target alone. */
  onlyIf?: () => boolean;
}

function writeTemp(temp: string, data: string, options: WriteOptions): void {
  step(`${options.step}.write`, temp, () => {
    const fd = openSync(temp, 'wx');
    try {
      writeSync(fd, data);
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** Create `target` with `data`; fails (EEXIST as STORE_IO) if it exists. Never shows half a file. */
export function createFile(target: string, data: string, options: WriteOptions): void {
  const temp = tempPathFor(target, options.tempDir);
  try {
    writeTemp(temp, data, options);
    step(`${options.step}.link`, target, () => linkSync(temp, target));
  } finally {
    removeQuietly(temp);
  }
}

/**
 * Create `target` with `data` where the caller, inside the critical section, saw no file of that
 * name: the temp file is renamed into place (one call fewer than link + unlink). The step is still
 * `<step>.link`: it is the same step, placing the file.
 */
export function createFreeFile(target: string, data: string, options: WriteOptions): void {
  const temp = tempPathFor(target, options.tempDir);
  try {
    writeTemp(temp, data, options);
    step(`${options.step}.link`, target, () => renameSync(temp, target));
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
}

/** Replace (or create) `target` with `data` atomically; false when `onlyIf` said no. */
export function replaceFile(target: string, data: string, options: WriteOptions): boolean {
  const temp = tempPathFor(target, options.tempDir);
  try {
    writeTemp(temp, data, options);
    const replaced = step(`${options.step}.rename`, target, () => {
      if (options.onlyIf && !options.onlyIf()) return false;
      renameSync(temp, target);
      return true;
    });
    if (!replaced) removeQuietly(temp);
    return replaced;
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
}

/** Remove `target`; true when it was there. */
export function removeFile(target: string, stepName: string): boolean {
  return step(`${stepName}.unlink`, target, () => {
    try {
      unlinkSync(target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  });
}
