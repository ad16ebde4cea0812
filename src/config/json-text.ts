// Reading JSON text with errors a user can find: JSON.parse's own message often has no position
// (Node 20: "Unexpected end of JSON input", "Unexpected token '}', ... is not valid JSON"), so on
// failure a small scanner walks the text to the first offending character and reports line:column.

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; line: number; column: number; message: string };

export function parseJsonText(text: string): JsonParseResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const found = locateJsonError(body);
    const offset = found?.offset ?? body.length;
    const { line, column } = lineAndColumn(body, offset);
    return { ok: false, line, column, message: found?.message ?? (error as Error).message };
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntax extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where and why the text is not JSON; undefined if the scanner finds nothing wrong. */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.at < text.length) scanner.fail('unexpected text after the end of the JSON value');
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntax) return { offset: error.offset, message: error.message };
    throw error;
  }
}

class Scanner {
  at = 0;
  constructor(private readonly text: string) {}

  fail(message: string, offset = this.at): never {
    throw new JsonSyntax(offset, message);
  }

  space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  value(): void {
    this.space();
    const c = this.text[this.at];
    if (c === undefined) this.fail('unexpected end of input, expected a value');
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return;
      }
    }
    this.fail(`unexpected ${describe(c)}, expected a value`);
  }

  object(): void {
    this.at++;
    this.space();
    if (this.text[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail(this.text[this.at] === '}' ? 'trailing comma before "}"' : `expected a double-quoted key, got ${describe(this.text[this.at])}`);
      this.string();
      this.space();
      if (this.text[this.at] !== ':') this.fail(`expected ":" after the key, got ${describe(this.text[this.at])}`);
      this.at++;
      this.value();
      this.space();
      const next = this.text[this.at];
      this.at++;
      if (next === '}') return;
      if (next !== ',') this.fail(`expected "," or "}", got ${describe(next)}`, this.at - 1);
    }
  }

  array(): void {
    this.at++;
    this.space();
    if (this.text[this.at] === ']') {
      this.at++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] === ']') this.fail('trailing comma before "]"');
      this.value();
      this.space();
      const next = this.text[this.at];
      this.at++;
      if (next === ']') return;
      if (next !== ',') this.fail(`expected "," or "]", got ${describe(next)}`, this.at - 1);
    }
  }

  string(): void {
    const start = this.at;
    this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) this.fail('unterminated string', start);
      if (c === '"') {
        this.at++;
        return;
      }
      if (c < ' ') this.fail('control character in a string (escape it)');
      if (c === '\\') {
        const e = this.text[this.at + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6))) this.at += 6;
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.at += 2;
        else this.fail('invalid escape in a string');
      } else {
        this.at++;
      }
    }
  }

  number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at));
    if (!match) this.fail('invalid number');
    this.at += match[0].length;
  }
}

function describe(c: string | undefined): string {
  if (c === undefined) return 'the end of input';
  if (c === "'") return "a single quote (JSON strings use double quotes)";
  return JSON.stringify(c);
}
