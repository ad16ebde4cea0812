// The JSON Schema of agents.config.json for editors, generated from the zod schema (the one
// source of truth). scripts/generate-schema.mjs writes it to agents.config.schema.json; a test
// pins the committed file to this output byte for byte.

import { z } from 'zod';
import { ConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  // draft-07 is what editors (VS Code's JSON language service among them) support most fully;
  // "input" describes the file as written, where keys with defaults are optional.
  return z.toJSONSchema(ConfigSchema, { target: 'draft-07', io: 'input' });
}

/** The file's exact text. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
