// The three agent clients whose config `init` writes: Claude Code (.claude/settings.json, PreToolUse
// guard, PostToolUse and UserPromptSubmit message hook; the MCP server in .mcp.json), Codex
// (.codex/hooks.json, PreToolUse on apply_patch; the MCP server in .codex/config.toml) and Gemini
// CLI (.gemini/settings.json, BeforeTool, AfterTool and BeforeAgent, and mcpServers). Timeouts:
// Claude and Codex in seconds, Gemini in ms.

import { CLAUDE_MATCHER, GEMINI_MATCHER, HOOK_TIMEOUT_S } from '../hook-command.js';
import { MESSAGE_HOOK_TIMEOUT_S } from '../wiring/claude.js';
import { CODEX_GUARD_MATCHER } from '../wiring/codex-home.js';
import { clientHookWriter, jsonMcpFile } from './client-writer.js';
import { codexConfigWithMcp, withListItem, withMcpServer } from './mcp-entry.js';

export const claudeHook = clientHookWriter({
  flag: 'claude',
  client: 'Claude Code',
  file: '.claude/settings.json',
  event: 'PreToolUse',
  matcher: CLAUDE_MATCHER,
  timeout: HOOK_TIMEOUT_S,
  projectDirVariable: 'CLAUDE_PROJECT_DIR',
  messageEvents: [
    { event: 'PostToolUse', matcher: '*' },
    { event: 'UserPromptSubmit', matcher: null },
  ],
  messageTimeout: MESSAGE_HOOK_TIMEOUT_S,
  // The project's .mcp.json server approved, and its tools allowed without asking.
  settingsPatch: (settings) => withListItem(withListItem(settings, ['enabledMcpjsonServers'], 'agentvisor'), ['permissions', 'allow'], 'mcp__agentvisor'),
  mcpFile: { file: '.mcp.json', text: (file, server) => jsonMcpFile(file, { type: 'stdio', ...server }) },
});

export const codexHook = clientHookWriter({
  flag: 'codex',
  client: 'Codex',
  file: '.codex/hooks.json',
  event: 'PreToolUse',
  matcher: CODEX_GUARD_MATCHER,
  timeout: HOOK_TIMEOUT_S,
  messageEvents: [
    { event: 'PostToolUse', matcher: null },
    { event: 'UserPromptSubmit', matcher: null },
  ],
  messageTimeout: MESSAGE_HOOK_TIMEOUT_S,
  mcpFile: { file: '.codex/config.toml', text: codexConfigWithMcp },
  after: (root) =>
    'Codex runs project hooks only in a trusted project, and each new or changed hook only once trusted:\n' +
    `  trust the project (answer yes when codex asks, or add [projects.${JSON.stringify(root)}] trust_level = "trusted" to ~/.codex/config.toml),\n` +
    '  then open /hooks in codex and trust the agentvisor hooks. Headless runs you control: codex exec --dangerously-bypass-hook-trust.\n' +
    '  (`agentvisor run` needs none of this: it gives codex agents a private CODEX_HOME that trusts exactly its own hooks.)',
});

export const geminiHook = clientHookWriter({
  flag: 'gemini',
  client: 'Gemini CLI',
  file: '.gemini/settings.json',
  event: 'BeforeTool',
  matcher: GEMINI_MATCHER,
  timeout: HOOK_TIMEOUT_S * 1000,
  projectDirVariable: 'GEMINI_PROJECT_DIR',
  extra: { name: 'agentvisor-guard', description: 'Block edits of files that another agent holds' },
  messageEvents: [
    { event: 'AfterTool', matcher: '.*' },
    { event: 'BeforeAgent', matcher: null },
  ],
  messageTimeout: MESSAGE_HOOK_TIMEOUT_S * 1000,
  messageExtra: { name: 'agentvisor-messages', description: "Hand other agents' messages to the model" },
  settingsPatch: (settings, server) => withMcpServer(settings, { ...server, trust: true }),
});
