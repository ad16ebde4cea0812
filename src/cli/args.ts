// Argument parsing for every command: node:util parseArgs (no start-up cost, unlike yargs, which
// the field notes measure at +62 ms on hot paths such as guard and lock), plus help text.

import { parseArgs } from 'node:util';
import { AgentvisorError } from '../core/errors.js';
import type { CommandSpec, ParsedArgs } from './command.js';

export const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h', description: 'Show help' },
  dir: { type: 'string', valueName: 'DIR', description: 'Coordination dir (default <root>/data/.agent_locks, or AGENTVISOR_DIR)' },
  store: { type: 'string', valueName: 'URL', description: 'A postgres:// URL: the PostgreSQL store (default AGENTVISOR_STORE, else "store" in the config, else files)' },
  scope: { type: 'string', valueName: 'NAME', description: 'PostgreSQL: the project in the database (default AGENTVISOR_SCOPE, "scope" in the config, the git origin)' },
} as const;

/** `--agent ID`, as every command acting for an agent declares it. */
export const AGENT_OPTION = { type: 'string', valueName: 'ID', description: 'Agent id (default: AGENT_ID, else unknown_agent)' } as const;

/** The `P...` argument of lock and check. */
export const LOCK_PATHS_ARGUMENT = { name: 'P...', description: 'Paths or globs, relative to root', required: true, variadic: true } as const;

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const dashDash = argv.indexOf('--');
  const own = spec.acceptsRest && dashDash >= 0 ? argv.slice(0, dashDash) : argv;
  const rest = spec.acceptsRest && dashDash >= 0 ? argv.slice(dashDash + 1) : [];
  const all = { ...GLOBAL_OPTIONS, ...spec.options };
  const expanded = expandBareValues(own, spec);
  let parsed;
  try {
    parsed = parseArgs({
      args: expanded,
      options: Object.fromEntries(
        Object.entries(all).map(([name, o]) => [
          name,
          { type: o.type, ...('short' in o && o.short ? { short: o.short } : {}), ...('multiple' in o && o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional.*$/s, '');
    throw new AgentvisorError('INVALID_ARGUMENT', `${spec.name}: ${message} (see \`agentvisor ${spec.name} --help\`)`, {}, { cause: error });
  }
  const positionals = parsed.positionals;
  checkPositionals(spec, positionals);
  return { values: parsed.values as ParsedArgs['values'], positionals, rest };
}

/**
 * `--wait` alone becomes `--wait=<bareValue>` when the next word is not a value for it. A word that
 * starts with `-` and a digit (`--ttl -1s`) stays the option's value, so the error names it rather
 * than calling it an unknown option.
 */
function expandBareValues(argv: string[], spec: CommandSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const name = word.startsWith('--') && !word.includes('=') ? word.slice(2) : undefined;
    const option = name ? spec.options[name] : undefined;
    const next = argv[i + 1];
    if (option?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
      continue;
    }
    if (option?.bareValue !== undefined && (next === undefined || !looksLikeValue(next))) {
      out.push(`--${name}=${option.bareValue}`);
      continue;
    }
    out.push(word);
  }
  return out;
}

/** After an option with a bare value: a word starting with a digit (or empty) is meant as its value. */
function looksLikeValue(word: string): boolean {
  return word === '' || /^\d/.test(word);
}

function checkPositionals(spec: CommandSpec, positionals: string[]): void {
  const declared = spec.positionals ?? [];
  const variadic = declared.some((p) => p.variadic);
  const required = declared.filter((p) => p.required).length;
  if (positionals.length < required) {
    const missing = declared.filter((p) => p.required)[positionals.length];
    throw new AgentvisorError('INVALID_ARGUMENT', `${spec.name}: missing ${missing?.name ?? 'argument'} (usage: agentvisor ${spec.usage})`);
  }
  if (!variadic && positionals.length > declared.length) {
    throw new AgentvisorError('INVALID_ARGUMENT', `${spec.name}: unexpected argument "${positionals[declared.length]}" (usage: agentvisor ${spec.usage})`);
  }
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`Usage: agentvisor ${spec.usage}`, '', spec.summary, ''];
  const all = { ...spec.options, ...GLOBAL_OPTIONS };
  const flags = Object.entries(all).map(([name, o]) => [
    `${'short' in o && o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${('valueName' in o && o.valueName) || 'VALUE'}` : ''}`,
    o.description,
  ] as const);
  // One column for every name, as wide as the widest: a long one never runs into its text.
  const width = Math.max(...flags.map(([flag]) => flag.length), ...(spec.positionals ?? []).map((p) => p.name.length));
  if (spec.positionals?.length) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}  ${p.description}`);
    lines.push('');
  }
  lines.push('Options:');
  for (const [flag, description] of flags) lines.push(`  ${flag.padEnd(width)}  ${description}`);
  if (spec.details) lines.push('', spec.details.trimEnd());
  return `${lines.join('\n')}\n`;
}

/** Read a string option that may be given once; a repeated one keeps the last. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? [v] : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}
