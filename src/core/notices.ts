// Messages agentvisor itself leaves in an agent's inbox about its locks, so that the agent's
// message hook (or MCP inbox) tells the model mid-task: a lock of its force-released by someone else.

import type { LockRecord } from './records.js';
import type { Store } from './store.js';

/** Tell each holder whose lock `by` released by force (`unlock --force`, the dashboard). */
export async function tellForcedRelease(store: Store, released: LockRecord[], by: string): Promise<void> {
  const byHolder = new Map<string, string[]>();
  for (const lock of released) {
    if (lock.agent_id === by) continue;
    byHolder.set(lock.agent_id, [...(byHolder.get(lock.agent_id) ?? []), lock.file_path]);
  }
  for (const [holder, paths] of byHolder) {
    await store.send({
      from: by,
      to: holder,
      type: 'status',
      message:
        `${by} force-released your lock${paths.length === 1 ? '' : 's'} on ${paths.join(', ')}: you no longer hold ${paths.length === 1 ? 'it' : 'them'}. ` +
        'Stop editing there and lock it again before you go on (another agent may hold it now).',
    });
  }
}
