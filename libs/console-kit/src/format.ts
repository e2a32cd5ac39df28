const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number): string => String(n).padStart(2, '0');

/** A duration as people read it at a glance: `45s`, `12m 05s`, `3h 07m`, `2d 04h`. */
export function formatDuration(ms: number): string {
  const v = Math.max(0, Math.floor(ms / SECOND) * SECOND);
  if (v < MINUTE) return `${Math.floor(v / SECOND)}s`;
  if (v < HOUR) return `${Math.floor(v / MINUTE)}m ${pad(Math.floor((v % MINUTE) / SECOND))}s`;
  if (v < DAY) return `${Math.floor(v / HOUR)}h ${pad(Math.floor((v % HOUR) / MINUTE))}m`;
  return `${Math.floor(v / DAY)}d ${pad(Math.floor((v % DAY) / HOUR))}h`;
}

/** Time left until `iso` (`in 3h 07m`), or how long ago it passed (`expired 12s ago`). */
export function countdown(iso: string, nowMs: number): { text: string; expired: boolean } {
  const left = Date.parse(iso) - nowMs;
  if (left > 0) return { text: `in ${formatDuration(left)}`, expired: false };
  return { text: `expired ${formatDuration(-left)} ago`, expired: true };
}

/** How long since `iso`. */
export function since(iso: string, nowMs: number): string {
  return formatDuration(nowMs - Date.parse(iso));
}

/** A timestamp in the reader's time zone, to the second. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
