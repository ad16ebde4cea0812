#!/usr/bin/env node
// Superseded by scripts/bundle-cli.mjs, which bundles the whole CLI (the guard with it). Kept only
// so that package.json's `build` works until it names bundle-cli.mjs; delete it with that change.
await import('./bundle-cli.mjs');
