// A time as a person reads it in a line of output: local wall time, with the date only when it is
// not today. Pure (its "now" is given), so the CLI, the guard and the git hook say it the same way.

/** Local wall time of an ISO stamp: `10:02:13` today, `2026-11-23 10:02` on another day. */
export function formatClock(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '-';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  if (at.toDateString() === now.toDateString()) return time;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time.slice(0, 5)}`;
}
