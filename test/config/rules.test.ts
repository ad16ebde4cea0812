// The cross-agent rules: duplicate ids, dependsOn naming unknown agents, itself or a cycle, and
// overlapping owns between agents that may run at the same time.

import { describe, expect, test } from 'vitest';
import { config, load, onlyProblem } from './fixture.js';

const agent = (id: string, extra: Record<string, unknown> = {}) => ({ id, command: 'true', ...extra });

describe('ids and dependencies', () => {
  test('a duplicate id names the first', () => {
    expect(onlyProblem(config([agent('a'), agent('b'), agent('a')]))).toBe('agents.config.json: agents[2].id: duplicate id "a" (also agents[0])');
  });

  test('dependsOn an unknown agent, with a did-you-mean', () => {
    expect(onlyProblem(config([agent('api'), agent('web', { dependsOn: ['apu'] })]))).toBe('agents.config.json: agents[1].dependsOn[0]: unknown agent "apu"; did you mean "api"?');
    expect(onlyProblem(config([agent('api'), agent('web', { dependsOn: ['database'] })]))).toBe('agents.config.json: agents[1].dependsOn[0]: unknown agent "database"');
  });

  test('dependsOn itself', () => {
    expect(onlyProblem(config([agent('a', { dependsOn: ['a'] })]))).toBe('agents.config.json: agents[0].dependsOn[0]: agent "a" cannot depend on itself');
  });

  test('a cycle is named once, from its first agent', () => {
    expect(onlyProblem(config([agent('a', { dependsOn: ['b'] }), agent('b', { dependsOn: ['a'] })]))).toBe('agents.config.json: agents[0].dependsOn: dependency cycle: a → b → a');
    expect(onlyProblem(config([agent('x'), agent('c', { dependsOn: ['x', 'd'] }), agent('d', { dependsOn: ['e'] }), agent('e', { dependsOn: ['c'] })]))).toBe(
      'agents.config.json: agents[1].dependsOn: dependency cycle: c → d → e → c',
    );
  });

  test('two separate cycles are both named', () => {
    const { lines } = load(config([agent('a', { dependsOn: ['b'] }), agent('b', { dependsOn: ['a'] }), agent('c', { dependsOn: ['d'] }), agent('d', { dependsOn: ['c'] })]));
    expect(lines).toEqual(['agents.config.json: agents[0].dependsOn: dependency cycle: a → b → a', 'agents.config.json: agents[2].dependsOn: dependency cycle: c → d → c']);
  });

  test('a diamond is not a cycle', () => {
    const { problems } = load(config([agent('a'), agent('b', { dependsOn: ['a'] }), agent('c', { dependsOn: ['a'] }), agent('d', { dependsOn: ['b', 'c', 'b'] })]));
    expect(problems).toEqual([]);
  });
});

describe('overlapping owns', () => {
  test('two agents owning overlapping paths: both agents, both paths and a witness', () => {
    expect(onlyProblem(config([agent('api', { owns: ['src/**'] }), agent('web', { owns: ['docs/**', 'src/web/page.tsx'] })]))).toBe(
      'agents.config.json: agents[1].owns[1]: "src/web/page.tsx" of agent "web" overlaps "src/**" of agent "api" (agents[0].owns[0]): both match "src/web/page.tsx"; narrow the paths or make one agent dependsOn the other',
    );
  });

  test('glob against glob: the witness matches both', () => {
    const line = onlyProblem(config([agent('api', { owns: ['src/api/**'] }), agent('all', { owns: ['src/**'] })]));
    expect(line).toMatch(/^agents\.config\.json: agents\[1\]\.owns\[0\]: "src\/\*\*" of agent "all" overlaps "src\/api\/\*\*" of agent "api" \(agents\[0\]\.owns\[0\]\): both match "src\/api(\/[^"]*)?";/);
  });

  test('disjoint owns are fine, globs included (overlap is decided exactly)', () => {
    expect(load(config([agent('api', { owns: ['src/api/**'] }), agent('web', { owns: ['src/web/**'] })])).problems).toEqual([]);
    expect(load(config([agent('tests', { owns: ['src/**/*.test.ts'] }), agent('ui', { owns: ['src/ui/*.tsx', 'docs/*.md'] })])).problems).toEqual([]);
    expect(onlyProblem(config([agent('ts', { owns: ['*.ts'] }), agent('both', { owns: ['*.{ts,js}'] })]))).toMatch(/both match "[^"/]*\.ts";/);
  });

  test('allowed when one depends on the other, directly or through others', () => {
    expect(load(config([agent('a', { owns: ['src/**'] }), agent('b', { owns: ['src/x.ts'], dependsOn: ['a'] })])).problems).toEqual([]);
    expect(load(config([agent('a', { owns: ['src/**'] }), agent('m', { dependsOn: ['a'] }), agent('b', { owns: ['src/x.ts'], dependsOn: ['m'] })])).problems).toEqual([]);
    // depending the other way round counts too
    expect(load(config([agent('a', { owns: ['src/**'], dependsOn: ['b'] }), agent('b', { owns: ['src/x.ts'] })])).problems).toEqual([]);
  });

  test('siblings under a common dependency still overlap', () => {
    const { lines } = load(config([agent('base'), agent('a', { owns: ['lib/x.ts'], dependsOn: ['base'] }), agent('b', { owns: ['lib/x.ts'], dependsOn: ['base'] })]));
    expect(lines).toEqual([expect.stringMatching(/^agents\.config\.json: agents\[2\]\.owns\[0\]: "lib\/x\.ts" of agent "b" overlaps "lib\/x\.ts" of agent "a"/)]);
  });

  test("reads overlapping another agent's owns is not a config error (the reader waits at run time)", () => {
    expect(load(config([agent('api', { owns: ['src/**'] }), agent('reviewer', { reads: ['src/**'] })])).problems).toEqual([]);
  });

  test("an agent's own owns and reads may overlap", () => {
    expect(load(config([agent('api', { owns: ['src/**'], reads: ['src/types/**'] })])).problems).toEqual([]);
  });

  test('every overlapping pair is reported', () => {
    const { lines } = load(config([agent('a', { owns: ['x/**'] }), agent('b', { owns: ['x/1'] }), agent('c', { owns: ['x/2'] })]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('agents[1].owns[0]: "x/1" of agent "b" overlaps "x/**" of agent "a"');
    expect(lines[1]).toContain('agents[2].owns[0]: "x/2" of agent "c" overlaps "x/**" of agent "a"');
  });
});
