// Durations in Go's text forms. Prow reads durations such as `timeout: 2h` into a Go `time.Duration` and writes
// them back as `Duration.String()` ("2h0m0s"); our flags and query parameters take the same forms.

const NS_PER_UNIT: Readonly<Record<string, number>> = Object.freeze({
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu; Go accepts both
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86_400e9,
});

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const GO_UNIT = 'ns|us|µs|μs|ms|s|m|h';
/** Go's `time.ParseDuration` grammar: an optional sign, then number-unit parts. */
const GO_DURATION = new RegExp(`^([-+]?)(?:${NUMBER}(?:${GO_UNIT}))+$`);
/** Ours: Go's parts without a sign, plus days. */
const DURATION = new RegExp(`^(?:${NUMBER}(?:${GO_UNIT}|d))+$`);
const PART = new RegExp(`(${NUMBER})(${GO_UNIT}|d)`, 'g');

function sumNanoseconds(parts: string): number {
  let total = 0;
  for (const [, n, unit] of parts.matchAll(PART)) total += parseFloat(n) * NS_PER_UNIT[unit];
  return total;
}

/** Go's `time.ParseDuration` (nanoseconds), or undefined when the text is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const match = GO_DURATION.exec(text);
  if (!match) return undefined;
  const total = sumNanoseconds(text.slice(match[1].length));
  return Math.round(match[1] === '-' ? -total : total);
}

/**
 * Parses a duration for a flag or query parameter into milliseconds: Go's forms ("500ms", "15s", "1h30m"), days
 * ("2d"), or a bare number of seconds, which is what the original shell callers pass (`wait=600`). Throws on
 * anything else, including negative durations.
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000);
  if (!DURATION.test(input)) throw new Error(`invalid duration "${text}" (use e.g. 500ms, 15s, 1h30m)`);
  return Math.round(sumNanoseconds(input) / 1e6);
}

/** Go's `Duration.String()`: 5_400e9 → "1h30m0s", 1.5e9 → "1.5s", 0 → "0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${trimFraction(abs / 1e3)}µs`;
  if (abs < 1e9) return `${sign}${trimFraction(abs / 1e6)}ms`;
  const hours = Math.floor(abs / 3600e9);
  const minutes = Math.floor((abs % 3600e9) / 60e9);
  const seconds = trimFraction((abs % 60e9) / 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** The canonical (Go `Duration.String()`) form of a Go duration text, or undefined when it is not one. */
export function canonicalGoDuration(text: string): string | undefined {
  const ns = parseGoDuration(text);
  return ns === undefined ? undefined : formatGoDuration(ns);
}

function trimFraction(n: number): string {
  return n.toFixed(9).replace(/\.?0+$/, '');
}
