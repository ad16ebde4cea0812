// Suggestions for typos: close by edit distance, or the one candidate the word begins.

import { expect, test } from 'vitest';
import { closest, editDistance } from '../../src/config/did-you-mean.js';

test('edit distance counts a swapped pair as one edit', () => {
  expect(editDistance('owns', 'onws')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
});

test('closest', () => {
  const keys = ['id', 'command', 'owns', 'reads', 'dependsOn', 'maxRestarts'];
  expect(closest('own', keys)).toBe('owns');
  expect(closest('comand', keys)).toBe('command');
  expect(closest('depends', keys)).toBe('dependsOn');
  expect(closest('MaxRestarts', keys)).toBe('maxRestarts');
  expect(closest('colour', keys)).toBeUndefined();
  expect(closest('x', keys)).toBeUndefined();
  expect(closest('on-fail', ['never', 'on-failure', 'always'])).toBe('on-failure');
});
