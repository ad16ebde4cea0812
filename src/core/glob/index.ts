// The glob API that the rest of agentvisor uses: parse a normalised lock path, decide overlap
// exactly (with a witness path), match a literal path. Semantics: ../../../docs/globs.md and the
// contract's "glob semantics".
//
// STUB: the implementation lands in parse.ts / automaton.ts / overlap.ts / match.ts.

/** A parsed lock path, ready for overlap decisions and matching. Opaque outside core/glob. */
export interface Pattern {
  /** The normalised lock path it was parsed from. */
  readonly source: string;
}

/** Parse a normalised lock path. Throws AgentvisorError INVALID_GLOB naming what is wrong. */
export declare function parsePattern(source: string): Pattern;

/** A file path that both patterns match, or null when no file path can match both. */
export declare function overlapWitness(a: Pattern, b: Pattern): string | null;

/** Whether a literal, normalised file path matches the pattern. */
export declare function matchesPath(pattern: Pattern, path: string): boolean;

/** Whether the source contains glob syntax at all (a literal path compares faster). */
export declare function isLiteral(source: string): boolean;
