#!/usr/bin/env bash
# A pinned Claude Code in .cache/claude-code/ for the end-to-end tests (install-cli.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-cli.sh" claude-code @anthropic-ai/claude-code "${CLAUDE_CODE_VERSION:-2.1.331}" claude
