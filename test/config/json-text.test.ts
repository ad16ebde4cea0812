// JSON syntax errors located by line and column, where JSON.parse itself gives no position.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { locateJsonError, parseJsonText } from '../../src/config/json-text.js';

const failure = (text: string) => {
  const result = parseJsonText(text);
  if (result.ok) throw new Error('expected a failure');
  return `${result.line}:${result.column} ${result.message}`;
};

describe('parseJsonText', () => {
  test('valid JSON parses, a byte order mark is allowed', () => {
    expect(parseJsonText('\ufeff{"a": [1, "x", true, null, -2.5e3]}')).toEqual({ ok: true, value: { a: [1, 'x', true, null, -2500] } });
  });

  test.each([
    ['', '1:1 unexpected end of input, expected a value'],
    ['{"a": 1,}', '1:9 trailing comma before "}"'],
    ['[1,\n 2,\n]', '3:1 trailing comma before "]"'],
    ['{"a" 1}', '1:6 expected ":" after the key, got "1"'],
    ['{"a": 1 "b": 2}', '1:9 expected "," or "}", got "\\""'],
    ['{\n  // comment\n}', '2:3 expected a double-quoted key, got "/"'],
    ['{"a": tru}', '1:7 unexpected "t", expected a value'],
    ['{"a": "x\ny"}', '1:9 control character in a string (escape it)'],
    ['{"a": "x', '1:7 unterminated string'],
    ['{"a": 01}', '1:8 expected "," or "}", got "1"'],
    ['{} {}', '1:4 unexpected text after the end of the JSON value'],
    ['{"a": "\\q"}', '1:8 invalid escape in a string'],
  ])('%j → %s', (text, expected) => {
    expect(failure(text)).toBe(expected);
  });
});

describe('the scanner agrees with JSON.parse', () => {
  test('on valid JSON and on mangled JSON', () => {
    const alphabet = fc.constantFrom(...'{}[]:,"\\ \n-0123456789.eEtruefalsnx'.split(''));
    const mangled = fc.oneof(
      fc.json().chain((text) => fc.tuple(fc.constant(text), fc.nat(text.length), fc.nat(text.length), alphabet)).map(([text, at, cut, ch]) => `${text.slice(0, at)}${ch}${text.slice(Math.max(at, cut))}`),
      fc.array(alphabet, { maxLength: 20 }).map((chars) => chars.join('')),
      fc.json(),
    );
    fc.assert(
      fc.property(mangled, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(locateJsonError(text) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});
