#!/usr/bin/env bash
# Installs a pinned agent CLI into .cache/<name>/ for the end-to-end tests: install-cli.sh NAME
# PACKAGE VERSION BIN. Not devDependencies on purpose: these CLIs are large (native binaries as
# optional dependencies, ~100-380 MB) and only the e2e tests need them. Skips the install when the
# pinned version is already there.
set -euo pipefail

name="$1" package="$2" version="$3" bin="$4"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.cache/$name"
installed="$prefix/node_modules/$package/package.json"

if [ -f "$installed" ] && node -e '
  const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version;
  process.exit(v === process.argv[2] ? 0 : 1);
' "$installed" "$version" && [ -x "$prefix/node_modules/.bin/$bin" ]; then
  echo "$name $version already installed in $prefix"
  exit 0
fi

mkdir -p "$prefix"
# A package.json of its own keeps npm from walking up into the project's package.json.
if [ ! -f "$prefix/package.json" ]; then
  printf '{ "name": "agentvisor-%s-cache", "private": true }\n' "$name" >"$prefix/package.json"
fi
echo "installing $package@$version into $prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --include=optional "$package@$version"
"$prefix/node_modules/.bin/$bin" --version
