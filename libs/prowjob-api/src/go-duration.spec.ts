import { canonicalGoDuration, formatGoDuration, parseGoDuration } from './go-duration';

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
  ])('%s is written back as %s', (text, canonical) => {
    expect(canonicalGoDuration(text)).toBe(canonical);
  });

  it.each(['', '2', 'h', '2 h', '1d', 'soon'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it('formats negative and sub-microsecond values like Go', () => {
    expect(formatGoDuration(-90e9)).toBe('-1m30s');
    expect(formatGoDuration(999)).toBe('999ns');
  });
});
