#!/usr/bin/env bash
# Installs a pinned Codex CLI into .cache/codex/ for the end-to-end tests (test/e2e/codex-*.e2e.test.ts).
# Not a devDependency on purpose: its native binary (an optional dependency) is large and only the
# e2e tests need it. Skips the install when the pinned version is already there.
set -euo pipefail

CODEX_VERSION="${CODEX_VERSION:-0.171.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.cache/codex"
installed="$prefix/node_modules/@openai/codex/package.json"

if [ -f "$installed" ] && node -e '
  const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version;
  process.exit(v === process.argv[2] ? 0 : 1);
' "$installed" "$CODEX_VERSION" && [ -x "$prefix/node_modules/.bin/codex" ]; then
  echo "codex $CODEX_VERSION already installed in $prefix"
  exit 0
fi

mkdir -p "$prefix"
# A package.json of its own keeps npm from walking up into the project's package.json.
if [ ! -f "$prefix/package.json" ]; then
  printf '{ "name": "agentvisor-codex-cache", "private": true }\n' >"$prefix/package.json"
fi
echo "installing @openai/codex@$CODEX_VERSION into $prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --include=optional "@openai/codex@$CODEX_VERSION"
"$prefix/node_modules/.bin/codex" --version
