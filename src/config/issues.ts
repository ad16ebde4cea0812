// zod issues turned into config problems a user can act on: one per unknown key (with a
// did-you-mean), the branch of a union that the value was meant for, plain-words messages.

import type { z } from 'zod';
import { closest, didYouMean } from './did-you-mean.js';
import { problem, show, type JsonPath } from './problems.js';
import { knownKeys } from './schema.js';
import type { ConfigProblem } from './types.js';

type Issue = z.core.$ZodIssue;

export function problemsFromIssues(file: string, issues: readonly Issue[], base: JsonPath = []): ConfigProblem[] {
  return issues.flatMap((issue) => problemsFromIssue(file, issue, base));
}

function problemsFromIssue(file: string, issue: Issue, base: JsonPath): ConfigProblem[] {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(file, path, key));
    case 'invalid_union': {
      if (issue.errors.every((branch) => branch.every(isMissing))) return [problem(file, path, 'required')];
      const meant = meantBranch(issue.errors);
      return meant ? problemsFromIssues(file, meant, path) : [problem(file, path, issue.message)];
    }
    default:
      return [problem(file, path, messageOf(issue))];
  }
}

function unknownKey(file: string, at: JsonPath, key: string): ConfigProblem {
  const known = knownKeys(at);
  const hint = closest(key, known);
  const tail = hint !== undefined ? `; did you mean "${hint}"?` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
  return problem(file, [...at, key], `unknown key${tail}`);
}

/**
 * The union branch the value was written for: the only branch that did not fail on the value's
 * own type (an array given to `string | string[]` was meant as the array). Undefined when unclear.
 */
function meantBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const plausible = branches.filter((issues) => !issues.some(wrongKind));
  return plausible.length === 1 ? plausible[0] : undefined;
}

/** The value itself is of another kind than the branch takes (an object given to an enum of strings). */
function wrongKind(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  const input = (issue as { input?: unknown }).input;
  return issue.code === 'invalid_value' && !issue.values.some((v) => typeof v === typeof input);
}

function isMissing(issue: Issue): boolean {
  return issue.path.length === 0 && issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
}

function messageOf(issue: Issue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'required';
      return `expected ${article(issue.expected)}, got ${show(input)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : '';
      return `must be ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, got ${show(input)}${hint}`;
    }
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return issue.origin === 'array' ? `must hold at most ${String(issue.maximum)} items` : `must be at most ${String(issue.maximum)}`;
    case 'invalid_key':
      return issue.issues[0]?.message ?? `${show(input)} is not a valid key`;
    default:
      return issue.message;
  }
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.message && !issue.message.startsWith('Too small')) return issue.message;
  if (issue.origin === 'array' || issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must hold at least ${String(issue.minimum)}`;
  return Number(issue.minimum) === 1 && issue.inclusive ? 'must be a positive number' : `must be at least ${String(issue.minimum)}`;
}

function article(expected: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'an array',
    object: 'an object',
    record: 'an object',
    tuple: 'an array',
    null: 'null',
  };
  return words[expected] ?? expected;
}
