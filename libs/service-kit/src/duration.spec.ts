import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
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
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '5x', 'h', '1h 30m', '-5s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow();
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m0s'],
  ])('%d → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
