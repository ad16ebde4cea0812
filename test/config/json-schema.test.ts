// The JSON Schema shipped for editors: generated from the zod schema, committed, pinned.

import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { configJsonSchema, renderConfigJsonSchema } from '../../src/config/json-schema.js';

const committed = readFileSync(new URL('../../agents.config.schema.json', import.meta.url), 'utf8');

test('the committed agents.config.schema.json is exactly what the generator writes (run `node scripts/generate-schema.mjs` after a build)', () => {
  expect(renderConfigJsonSchema()).toBe(committed);
});

test('it refuses unknown keys, requires agents and ids, and knows the defaults', () => {
  const schema = configJsonSchema() as {
    $schema: string;
    additionalProperties: boolean;
    required: string[];
    properties: Record<string, { default?: unknown; items?: { additionalProperties: boolean; required: string[]; properties: Record<string, unknown> } }>;
  };
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  expect(schema.additionalProperties).toBe(false);
  expect(schema.required).toEqual(['agents']);
  expect(Object.keys(schema.properties)).toEqual(['$schema', 'heartbeatMs', 'onConflict', 'lockTimeoutMs', 'shutdownGraceMs', 'store', 'scope', 'agents']);
  expect([schema.properties.heartbeatMs?.default, schema.properties.onConflict?.default, schema.properties.lockTimeoutMs?.default]).toEqual([5000, 'wait', 600000]);
  const agent = schema.properties.agents!.items!;
  expect(agent.additionalProperties).toBe(false);
  expect(agent.required).toEqual(['id', 'command']);
  expect(Object.keys(agent.properties)).toEqual(['id', 'command', 'owns', 'reads', 'env', 'cwd', 'restart', 'maxRestarts', 'dependsOn', 'timeoutMs', 'prompt', 'messages', 'allowFailure', 'guard', 'mcp']);
});
