const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;

/**
 * Parses a Go-style duration ("500ms", "15s", "1h30m", "6h") into milliseconds. A bare number is seconds,
 * which is what the original shell callers pass (`wait=600`). Throws on anything else.
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000);
  if (input === '' || input === '0') {
    if (input === '0') return 0;
    throw new Error('empty duration');
  }
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (!match || match.index !== start) throw new Error(`invalid duration "${text}" (use e.g. 500ms, 15s, 1h30m)`);
    total += Number(match[1]) * UNIT_MS[match[2]];
  }
  return Math.round(total);
}

/** Formats milliseconds the way Go prints durations, e.g. 5400000 → "1h30m0s", 1500 → "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
