// The one place INVALID_GLOB errors are worded: the path, what is wrong, where, and what to do.
import { AgentvisorError } from '../errors.js';

/** An INVALID_GLOB error for `path`; `index` is 0-based into `path` and printed 1-based. */
export function refuseGlob(path: string, problem: string, index?: number, hint?: string): AgentvisorError {
  const where = index === undefined ? '' : ` at position ${index + 1}`;
  const advice = hint === undefined ? '' : `; ${hint}`;
  return new AgentvisorError('INVALID_GLOB', `invalid lock path "${path}": ${problem}${where}${advice}`, {
    path,
    problem,
    ...(index === undefined ? {} : { position: index + 1 }),
  });
}
