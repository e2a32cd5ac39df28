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

/**
 * The number-unit parts of a duration from `from` on (Go's grammar: digits with an optional fraction, at least one
 * digit, then a unit), or undefined when the text is not a sequence of them. One pass over the text: these strings
 * arrive in query parameters, so no backtracking pattern reads them.
 */
function scanParts(text: string, from: number, units: readonly string[]): Array<[number: string, unit: string]> | undefined {
  const parts: Array<[string, string]> = [];
  let i = from;
  while (i < text.length) {
    const start = i;
    i = skipDigits(text, i);
    let digits = i - start;
    if (text[i] === '.') {
      const fraction = i + 1;
      i = skipDigits(text, fraction);
      digits += i - fraction;
    }
    // The longest unit that fits: after "m" of "ms", no part could start at "s".
    const unit = digits === 0 ? undefined : units.find((u) => text.startsWith(u, i));
    if (unit === undefined) return undefined;
    parts.push([text.slice(start, i), unit]);
    i += unit.length;
  }
  return parts.length ? parts : undefined;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i;
}

/** Two-letter units first, so that "ms" is never read as "m" then "s". */
const GO_UNITS = ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'] as const;
/** Ours: Go's units plus days. */
const UNITS = [...GO_UNITS, 'd'] as const;

function sumNanoseconds(parts: ReadonlyArray<[string, string]>): number {
  let total = 0;
  for (const [n, unit] of parts) total += parseFloat(n) * NS_PER_UNIT[unit];
  return total;
}

/** Go's `time.ParseDuration` (nanoseconds), or undefined when the text is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const sign = text[0] === '-' || text[0] === '+' ? text[0] : '';
  const parts = scanParts(text, sign.length, GO_UNITS);
  if (!parts) return undefined;
  const total = sumNanoseconds(parts);
  return Math.round(sign === '-' ? -total : total);
}

/**
 * Parses a duration for a flag or query parameter into milliseconds: Go's forms ("500ms", "15s", "1h30m"), days
 * ("2d"), or a bare number of seconds, which is what the original shell callers pass (`wait=600`). Throws on
 * anything else, including negative durations.
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (/^\d+(\.\d+)?$/.test(input)) return Math.round(Number(input) * 1000);
  const parts = scanParts(input, 0, UNITS);
  if (!parts) throw new Error(`invalid duration "${text}" (use e.g. 500ms, 15s, 1h30m)`);
  return Math.round(sumNanoseconds(parts) / 1e6);
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
