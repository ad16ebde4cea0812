// Throwaway directories built from inline trees, removed after the test.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

export type Tree = Record<string, string | null>;

/** A fresh directory holding `tree` (a null value makes an empty folder); removed when the test ends. */
export function testDir(tree: Tree = {}, prefix = 'agentvisor-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeTree(root, tree);
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function writeTree(root: string, tree: Tree): void {
  for (const [path, content] of Object.entries(tree)) {
    const full = join(root, path);
    if (content === null) {
      mkdirSync(full, { recursive: true });
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
}
