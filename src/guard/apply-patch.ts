// The files a Codex `apply_patch` patch would write: every `*** Add File:`, `*** Update File:`,
// `*** Delete File:` and `*** Move to:` header (content lines start with +, - or a space, so a
// header is never confused with file content).

const HEADER = /^\*\*\* (?:Add File|Update File|Delete File|Move to):[ \t]*(.*?)[ \t]*$/;

/** Whether a text holds an apply_patch patch (also when run through a shell heredoc). */
export function looksLikePatch(text: string): boolean {
  return text.includes('*** Begin Patch');
}

/** The paths, as written in the patch, in order of first mention. */
export function patchPaths(patch: string): string[] {
  const paths: string[] = [];
  for (const line of patch.split(/\r?\n/)) {
    const match = HEADER.exec(line);
    const path = match?.[1];
    if (path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}
