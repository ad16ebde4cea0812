// The cross-agent rules: duplicate ids, dependsOn naming unknown agents, itself or a cycle, and
// overlapping owns between agents that may run at the same time (a wait in config order, or an error
// with onConflict "fail").

import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { overlapNotice } from '../../src/config/owns-overlaps.js';
import { formatProblem } from '../../src/config/problems.js';
import { testDir } from '../helpers/tempdir.js';
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

const FAIL = { onConflict: 'fail' };

describe('overlapping owns: by default the later agent waits, named in one line per pair', () => {
  test('no problem; the pair is an overlap with every pair of paths and a witness', () => {
    const loaded = load(config([agent('api', { owns: ['src/**'] }), agent('web', { owns: ['docs/**', 'src/web/page.tsx'] })]));
    expect(loaded.problems).toEqual([]);
    expect(loaded.overlaps).toEqual([
      { earlier: 'api', later: 'web', earlierIndex: 0, laterIndex: 1, at: ['agents', 1, 'owns', 1], paths: [{ earlierPath: 'src/**', laterPath: 'src/web/page.tsx', witness: 'src/web/page.tsx' }] },
    ]);
    expect(formatProblem(overlapNotice(join(loaded.root, 'agents.config.json'), loaded.overlaps![0]!), loaded.root)).toBe(
      'agents.config.json: agents[1].owns[1]: agent "web" waits for agent "api" (agents[0]): their owns overlap, "src/web/page.tsx" with "src/**" (both match "src/web/page.tsx"); they run one after the other in config order (dependsOn would order them instead; onConflict "fail" refuses this)',
    );
  });

  test('several overlapping paths of one pair are one overlap (one line)', () => {
    const { overlaps } = load(config([agent('a', { owns: ['x/**', 'y'] }), agent('b', { owns: ['x/1', 'y'] })]));
    expect(overlaps).toHaveLength(1);
    expect(overlaps![0]!.paths.map((p) => p.laterPath)).toEqual(['x/1', 'y']);
  });

  test('none when one depends on the other, directly, through others, or the other way round', () => {
    expect(load(config([agent('a', { owns: ['src/**'] }), agent('b', { owns: ['src/x.ts'], dependsOn: ['a'] })], FAIL)).overlaps).toEqual([]);
    expect(load(config([agent('a', { owns: ['src/**'] }), agent('m', { dependsOn: ['a'] }), agent('b', { owns: ['src/x.ts'], dependsOn: ['m'] })], FAIL)).overlaps).toEqual([]);
    expect(load(config([agent('a', { owns: ['src/**'], dependsOn: ['b'] }), agent('b', { owns: ['src/x.ts'] })], FAIL)).overlaps).toEqual([]);
  });

  test("reads overlapping another agent's owns, and an agent's own owns and reads, are no overlap", () => {
    expect(load(config([agent('api', { owns: ['src/**'] }), agent('reviewer', { reads: ['src/**'] })], FAIL)).overlaps).toEqual([]);
    expect(load(config([agent('api', { owns: ['src/**'], reads: ['src/types/**'] })], FAIL)).overlaps).toEqual([]);
  });
});

describe('overlapping owns with "onConflict": "fail": a config error, one line per pair', () => {
  test('two agents owning overlapping paths: both agents, both paths and a witness', () => {
    expect(onlyProblem(config([agent('api', { owns: ['src/**'] }), agent('web', { owns: ['docs/**', 'src/web/page.tsx'] })], FAIL))).toBe(
      'agents.config.json: agents[1].owns[1]: agents "web" and "api" (agents[0]) own overlapping paths, "src/web/page.tsx" with "src/**" (both match "src/web/page.tsx"), and onConflict is "fail": narrow the paths, make one agent dependsOn the other, or let the later one wait (onConflict "wait")',
    );
  });

  test('glob against glob: the witness matches both', () => {
    const line = onlyProblem(config([agent('api', { owns: ['src/api/**'] }), agent('all', { owns: ['src/**'] })], FAIL));
    expect(line).toMatch(/^agents\.config\.json: agents\[1\]\.owns\[0\]: agents "all" and "api" \(agents\[0\]\) own overlapping paths, "src\/\*\*" with "src\/api\/\*\*" \(both match "src\/api(\/[^"]*)?"\)/);
  });

  test('disjoint owns are fine, globs included (overlap is decided exactly)', () => {
    expect(load(config([agent('api', { owns: ['src/api/**'] }), agent('web', { owns: ['src/web/**'] })], FAIL)).problems).toEqual([]);
    expect(load(config([agent('tests', { owns: ['src/**/*.test.ts'] }), agent('ui', { owns: ['src/ui/*.tsx', 'docs/*.md'] })], FAIL)).problems).toEqual([]);
    expect(onlyProblem(config([agent('ts', { owns: ['*.ts'] }), agent('both', { owns: ['*.{ts,js}'] })], FAIL))).toMatch(/both match "[^"/]*\.ts"/);
  });

  test('siblings under a common dependency still overlap', () => {
    const { lines } = load(config([agent('base'), agent('a', { owns: ['lib/x.ts'], dependsOn: ['base'] }), agent('b', { owns: ['lib/x.ts'], dependsOn: ['base'] })], FAIL));
    expect(lines).toEqual([expect.stringMatching(/^agents\.config\.json: agents\[2\]\.owns\[0\]: agents "b" and "a" \(agents\[1\]\)/)]);
  });

  test('every overlapping pair is reported, each once', () => {
    const { lines } = load(config([agent('a', { owns: ['x/**'] }), agent('b', { owns: ['x/1', 'x/3'] }), agent('c', { owns: ['x/2'] })], FAIL));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('agents[1].owns[0]: agents "b" and "a" (agents[0]) own overlapping paths, "x/1" with "x/**" (both match "x/1"), "x/3" with "x/**" (both match "x/3")');
    expect(lines[1]).toContain('agents[2].owns[0]: agents "c" and "a" (agents[0])');
  });

  test("run's --on-conflict fail counts as the config's, and is named so", () => {
    const root = testDir({ 'agents.config.json': JSON.stringify(config([agent('a', { owns: ['x'] }), agent('b', { owns: ['x'] })])) });
    const { problems } = loadConfig(join(root, 'agents.config.json'), { cwd: root, env: {}, onConflict: 'fail' });
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('and --on-conflict is "fail"')]);
  });
});
