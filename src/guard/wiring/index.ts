// `run` wiring agentvisor into the agent clients it recognises (claude, codex, gemini): the guard,
// the MCP server and the message hook, each through the client's own command line or environment,
// writing nothing into the repository or the user's home. One entry point for the supervisor.

import { claudeArgs, type WiringChoice } from './claude.js';
import { userCodexHome, writeCodexHome } from './codex-home.js';
import { clientOf, withArgsAfterProgram } from './command-line.js';
import { geminiSettings, writeGeminiHome } from './gemini.js';
import { installedHookCommands, type HookCommands } from './hooks.js';
import { makePrivateDir, removePrivateDir } from './private-dir.js';

export interface AgentWiringInput {
  id: string;
  guard: boolean;
  mcp: boolean;
  /** Messages go to the agent's stdin (then no message hook: they are delivered there). */
  messagesToStdin: boolean;
}

/** What wiring needs of a spawn (the supervisor's SpawnRequest has more). */
export interface ClientSpawn {
  command: string | string[];
  /** The agent's whole environment. */
  env: Record<string, string>;
}

export interface WiredSpawn<T extends ClientSpawn> {
  request: T;
  /** Remove what was made for this spawn (a private CODEX_HOME or settings file). */
  dispose(): void;
}

export interface WireOptions {
  hooks?: HookCommands;
  /** Where private folders go (default: the OS temp dir). */
  privateParent?: string;
}

/** The spawn with agentvisor wired in, or unchanged for a program that is no client we know. */
export function wireClient<T extends ClientSpawn>(request: T, agent: AgentWiringInput, options: WireOptions = {}): WiredSpawn<T> {
  const client = clientOf(request.command);
  const choice: WiringChoice = { guard: agent.guard, mcp: agent.mcp, messageHook: !agent.messagesToStdin };
  const unchanged = { request, dispose: () => undefined };
  if (client === null || (!choice.guard && !choice.mcp && !choice.messageHook)) return unchanged;
  const hooks = options.hooks ?? installedHookCommands();
  switch (client) {
    case 'claude':
      return { request: { ...request, command: withArgsAfterProgram(request.command, claudeArgs(hooks, choice)) }, dispose: () => undefined };
    case 'codex': {
      const home = makePrivateDir('codex', agent.id, options.privateParent);
      try {
        writeCodexHome(home, userCodexHome(request.env), hooks, choice, request.env);
      } catch (error) {
        removePrivateDir(home);
        throw error;
      }
      return { request: { ...request, env: { ...request.env, CODEX_HOME: home } }, dispose: () => removePrivateDir(home) };
    }
    case 'gemini': {
      const dir = makePrivateDir('gemini', agent.id, options.privateParent);
      try {
        const variables = writeGeminiHome(dir, geminiSettings(hooks, choice, request.env), request.env);
        return { request: { ...request, env: { ...request.env, ...variables } }, dispose: () => removePrivateDir(dir) };
      } catch (error) {
        removePrivateDir(dir);
        throw error;
      }
    }
  }
}
