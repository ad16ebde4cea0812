// The three agent clients whose hook config `init` writes: Claude Code (.claude/settings.json,
// PreToolUse), Codex (.codex/hooks.json, PreToolUse on apply_patch) and Gemini CLI
// (.gemini/settings.json, BeforeTool). Timeouts: Claude and Codex in seconds, Gemini in ms.

import { CLAUDE_MATCHER, GEMINI_MATCHER, HOOK_TIMEOUT_S } from '../hook-command.js';
import { clientHookWriter } from './client-writer.js';

export const claudeHook = clientHookWriter({
  flag: 'claude',
  client: 'Claude Code',
  file: '.claude/settings.json',
  event: 'PreToolUse',
  matcher: CLAUDE_MATCHER,
  timeout: HOOK_TIMEOUT_S,
  projectDirVariable: 'CLAUDE_PROJECT_DIR',
});

export const codexHook = clientHookWriter({
  flag: 'codex',
  client: 'Codex',
  file: '.codex/hooks.json',
  event: 'PreToolUse',
  // Codex names its edit tool apply_patch; Edit and Write cover versions that alias it.
  matcher: 'apply_patch|Edit|Write',
  timeout: HOOK_TIMEOUT_S,
  after: (root) =>
    'Codex runs project hooks only in a trusted project, and each new or changed hook only once trusted:\n' +
    `  trust the project (answer yes when codex asks, or add [projects.${JSON.stringify(root)}] trust_level = "trusted" to ~/.codex/config.toml),\n` +
    '  then open /hooks in codex and trust the agentvisor guard hook. Headless runs you control: codex exec --dangerously-bypass-hook-trust.',
});

export const geminiHook = clientHookWriter({
  flag: 'gemini',
  client: 'Gemini CLI',
  file: '.gemini/settings.json',
  event: 'BeforeTool',
  matcher: GEMINI_MATCHER,
  timeout: HOOK_TIMEOUT_S * 1000,
  projectDirVariable: 'GEMINI_PROJECT_DIR',
  extra: { name: 'agentvisor-guard', description: "Block edits of files that another agent holds" },
});
