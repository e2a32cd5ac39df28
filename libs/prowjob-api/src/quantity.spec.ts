import { canonicalQuantity } from './quantity';

describe('canonical quantities, as Kubernetes writes them', () => {
  it.each([
    [7, '7'],
    ['7', '7'],
    ['4000m', '4'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['0.5', '500m'],
    ['1500', '1500'],
    ['2000', '2k'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['8Gi', '8Gi'],
    ['20Gi', '20Gi'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0', '0'],
    ['0.0000000001', '1n'],
    ['1.5Ki', '1536'],
    ['-2', '-2'],
  ])('%j → %s', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
  });

  it.each(['', 'lots', '1.2.3', '5Kb'])('%j is not a quantity', (input) => {
    expect(canonicalQuantity(input)).toBeUndefined();
  });
});
