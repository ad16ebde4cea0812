#!/usr/bin/env bash
# A pinned Codex CLI in .cache/codex/ for the end-to-end tests (install-cli.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-cli.sh" codex @openai/codex "${CODEX_VERSION:-0.171.0}" codex
