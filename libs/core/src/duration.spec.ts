import { canonicalGoDuration, formatGoDuration, parseDuration, parseGoDuration } from './duration';

describe('parseDuration (flags and query parameters)', () => {
  it.each([
    ['15s', 15_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['6h', 21_600_000],
    ['1.5s', 1500],
    ['2d', 172_800_000],
    ['600', 600_000],
    ['0', 0],
    ['0.25', 250],
    [' 90s ', 90_000],
    ['1500us', 2],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5x', 'h', '1h 30m', '-5s', '+5s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration "${text}" (use e.g. 500ms, 15s, 1h30m)`);
  });
});

describe("Go's duration forms", () => {
  it.each([
    ['2h', '2h0m0s'],
    ['4h', '4h0m0s'],
    ['90m', '1h30m0s'],
    ['15s', '15s'],
    ['90s', '1m30s'],
    ['1.5s', '1.5s'],
    ['1h0m0s', '1h0m0s'],
    ['500ms', '500ms'],
    ['2m3.25s', '2m3.25s'],
    ['0', '0s'],
    ['1500us', '1.5ms'],
    ['1500µs', '1.5ms'],
    ['-90s', '-1m30s'],
  ])('%s is written back as %s', (text, canonical) => {
    expect(canonicalGoDuration(text)).toBe(canonical);
  });

  it.each(['', '2', 'h', '2 h', '1d', 'soon'])('%j is not a Go duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it.each([
    [0, '0s'],
    [999, '999ns'],
    [250e6, '250ms'],
    [1.5e9, '1.5s'],
    [90e9, '1m30s'],
    [5_400e9, '1h30m0s'],
    [-90e9, '-1m30s'],
  ])('formats %d ns as %s', (ns, text) => expect(formatGoDuration(ns)).toBe(text));
});

describe('durations are read in one pass', () => {
  // The patterns these functions replaced, as the reference for what they accept (short inputs only: they backtrack).
  const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
  const GO_UNIT = 'ns|us|µs|μs|ms|s|m|h';
  const OLD_GO = new RegExp(`^([-+]?)(?:${NUMBER}(?:${GO_UNIT}))+$`);
  const OLD_OURS = new RegExp(`^(?:${NUMBER}(?:${GO_UNIT}|d))+$`);
  const ALPHABET = ['1', '.', '-', '+', 'n', 'u', 'µ', 'μ', 'm', 's', 'h', 'd', ' '];

  function* strings(maxLength: number): Generator<string> {
    let layer = [''];
    for (let n = 1; n <= maxLength; n++) {
      layer = layer.flatMap((prefix) => ALPHABET.map((c) => prefix + c));
      yield* layer;
    }
  }

  it('accepts exactly what the old patterns accepted (every string of up to 4 characters over the duration alphabet)', () => {
    const mismatches: string[] = [];
    for (const text of strings(4)) {
      if ((parseGoDuration(text) !== undefined) !== (text === '0' || OLD_GO.test(text))) mismatches.push(`go ${JSON.stringify(text)}`);
      const ours = (() => {
        try {
          parseDuration(text);
          return true;
        } catch {
          return false;
        }
      })();
      const trimmed = text.trim();
      if (ours !== (/^\d+(\.\d+)?$/.test(trimmed) || OLD_OURS.test(trimmed))) mismatches.push(`ours ${JSON.stringify(text)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it.each([
    ['1'.repeat(100_000) + 'x'],
    ['1s'.repeat(50_000) + 'x'],
    ['1.'.repeat(50_000) + 's'],
    ['.'.repeat(100_000)],
  ])('rejects a long near-miss (%#)', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
    expect(() => parseDuration(text)).toThrow('invalid duration');
  });

  it('adds up many parts', () => {
    expect(parseDuration('1s'.repeat(10_000))).toBe(10_000_000);
    expect(parseGoDuration('1m'.repeat(60))).toBe(3600e9);
  });
});
