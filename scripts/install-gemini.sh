#!/usr/bin/env bash
# Installs a pinned Gemini CLI into .cache/gemini/ for the end-to-end tests (test/e2e/gemini.e2e.test.ts).
# Not a devDependency on purpose: it is large (~100 MB) and only the e2e tests need it. Skips the
# install when the pinned version is already there.
set -euo pipefail

GEMINI_VERSION="${GEMINI_VERSION:-0.61.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.cache/gemini"
installed="$prefix/node_modules/@google/gemini-cli/package.json"

if [ -f "$installed" ] && node -e '
  const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version;
  process.exit(v === process.argv[2] ? 0 : 1);
' "$installed" "$GEMINI_VERSION" && [ -x "$prefix/node_modules/.bin/gemini" ]; then
  echo "gemini-cli $GEMINI_VERSION already installed in $prefix"
  exit 0
fi

mkdir -p "$prefix"
# A package.json of its own keeps npm from walking up into the project's package.json.
if [ ! -f "$prefix/package.json" ]; then
  printf '{ "name": "agentvisor-gemini-cache", "private": true }\n' >"$prefix/package.json"
fi
echo "installing @google/gemini-cli@$GEMINI_VERSION into $prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --include=optional "@google/gemini-cli@$GEMINI_VERSION"
"$prefix/node_modules/.bin/gemini" --version
