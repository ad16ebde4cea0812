// A test that needs what a user's machine may lack (a cgroup v2 subtree of its own, the cgroup
// freezer) skips saying so loudly, once per missing capability, so a skip is never silent.

const said = new Set<string>();

/** `has`, after saying loudly on stderr why the tests needing `what` are skipped when it is false. */
export function capable(has: boolean, what: string): boolean {
  if (!has && !said.has(what)) {
    said.add(what);
    process.stderr.write(`\n!!! SKIPPED: tests needing ${what} (not available on this machine)\n\n`);
  }
  return has;
}
