// Quoting words for /bin/sh: the hook commands and the `--settings` JSON that agentvisor writes
// into shell strings must survive the shell unchanged.

const SAFE_WORD = /^[A-Za-z0-9_/.,:@%+=-]+$/;

/** One shell word that the shell reads back as exactly `word`. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The words of an argv array as one shell command line. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
