// Recognising each client's hook payload by its shape and extracting the paths its tool would
// write, from payloads recorded from the clients (Claude Code 2.1.331) or their documented shape.

import { describe, expect, it } from 'vitest';
import { patchPaths } from '../../src/guard/apply-patch.js';
import { parseHookPayload } from '../../src/guard/payload.js';
import { hookPayload } from './fixtures.js';

const root = '/work/project';

describe('parseHookPayload', () => {
  it.each([
    ['claude-write', 'claude', 'Write', [`${root}/src/api/users.ts`]],
    ['claude-edit', 'claude', 'Edit', [`${root}/src/app/[id]/page.tsx`]],
    ['claude-multi-edit', 'claude', 'MultiEdit', [`${root}/src/ui/button.tsx`]],
    ['claude-notebook-edit', 'claude', 'NotebookEdit', [`${root}/notebooks/analysis.ipynb`]],
    ['claude-read', 'claude', 'Read', []],
    ['codex-apply-patch', 'codex', 'apply_patch', ['src/api/new.ts', 'src/app/[id]/page.tsx', 'src/app/[slug]/page.tsx', 'docs/old.md']],
    ['gemini-write-file', 'gemini', 'write_file', [`${root}/src/api/users.ts`]],
    ['gemini-replace', 'gemini', 'replace', ['src/ui/button.tsx']],
    ['gemini-read-file', 'gemini', 'read_file', []],
  ])('%s: %s %s writes %j', (fixture, client, tool, paths) => {
    const request = parseHookPayload(hookPayload(fixture, { root }));
    expect(request.tool).toBe(tool);
    expect(request.paths).toEqual(paths);
    expect(request.cwd).toBe(root);
    if (paths.length) expect(request.client).toBe(client);
    expect(request.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads an apply_patch run through a shell heredoc', () => {
    const command = "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: a.txt\n@@\n-x\n+y\n*** End Patch\nEOF";
    const request = parseHookPayload(JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', cwd: root, tool_input: { command } }));
    expect(request.paths).toEqual(['a.txt']);
  });

  it('lets a shell command without a patch through with no paths', () => {
    const request = parseHookPayload(JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }));
    expect(request.paths).toEqual([]);
  });

  it.each([
    ['', /no hook JSON/],
    ['{not json', /not JSON/],
    ['[1]', /not a JSON object/],
    [JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: {} }), /no tool_input\.file_path/],
    [JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: {} }), /no patch text/],
    [JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'apply_patch', tool_input: { command: '*** Begin Patch\n*** End Patch' } }), /names no file/],
  ])('refuses %j rather than guess', (text, message) => {
    expect(() => parseHookPayload(text)).toThrow(message);
  });
});

describe('patchPaths', () => {
  it('ignores header-like text inside file content and keeps odd characters literally', () => {
    const patch = '*** Begin Patch\n*** Add File: notes/a b*.md\n+*** Update File: not/a/header.ts\n*** End Patch\n';
    expect(patchPaths(patch)).toEqual(['notes/a b*.md']);
  });
});
