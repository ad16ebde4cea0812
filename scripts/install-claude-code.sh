#!/usr/bin/env bash
# Installs a pinned Claude Code into .cache/claude-code/ for the end-to-end guard test.
# Not a devDependency on purpose: its native binary (an optional dependency) is ~380 MB and only
# the e2e test needs it. Skips the install when the pinned version is already there.
set -euo pipefail

CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION:-2.1.331}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.cache/claude-code"
installed="$prefix/node_modules/@anthropic-ai/claude-code/package.json"

if [ -f "$installed" ] && node -e '
  const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version;
  process.exit(v === process.argv[2] ? 0 : 1);
' "$installed" "$CLAUDE_CODE_VERSION" && [ -x "$prefix/node_modules/.bin/claude" ]; then
  echo "claude-code $CLAUDE_CODE_VERSION already installed in $prefix"
  exit 0
fi

mkdir -p "$prefix"
# A package.json of its own keeps npm from walking up into the project's package.json.
if [ ! -f "$prefix/package.json" ]; then
  printf '{ "name": "agentvisor-claude-code-cache", "private": true }\n' >"$prefix/package.json"
fi
echo "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION into $prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --include=optional \
  "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
"$prefix/node_modules/.bin/claude" --version
