#!/usr/bin/env bash
# A pinned Gemini CLI in .cache/gemini/ for the end-to-end tests (install-cli.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-cli.sh" gemini @google/gemini-cli "${GEMINI_VERSION:-0.61.0}" gemini
