import { globMatches } from './glob';

/** How grants were matched before: the pattern turned into a RegExp (short inputs only: it backtracks). */
function oldGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function* strings(alphabet: readonly string[], maxLength: number): Generator<string> {
  let layer = [''];
  yield '';
  for (let n = 1; n <= maxLength; n++) {
    layer = layer.flatMap((prefix) => alphabet.map((c) => prefix + c));
    yield* layer;
  }
}

describe('grant patterns', () => {
  it('match exactly what the RegExp they replaced matched (every pattern of up to 4 and value of up to 5 characters)', () => {
    const values = [...strings(['a', 'b', '.', '\n'], 5)];
    const mismatches: string[] = [];
    for (const pattern of strings(['a', 'b', '*', '.', '\n'], 4)) {
      const old = oldGlob(pattern);
      for (const value of values) if (globMatches(pattern, value) !== old.test(value)) mismatches.push(`${JSON.stringify(pattern)} ~ ${JSON.stringify(value)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it.each([
    { pattern: 'sddz-*', value: 'sddz-e2e-k8s-1.32', matches: true },
    { pattern: 'tess*', value: 'tessops', matches: true },
    { pattern: '*', value: '', matches: true },
    { pattern: '*-*-*-*-*-*-*-*', value: '-'.repeat(300) + 'x', matches: true },
    { pattern: '*-*-*-*-*-*-*-*x', value: '-'.repeat(300) + 'y', matches: false },
    { pattern: 'a*a*a*a*a*a*a*a*b', value: 'a'.repeat(10_000), matches: false },
  ])('$pattern → $matches', ({ pattern, value, matches }) => {
    expect(globMatches(pattern, value)).toBe(matches);
  });
});
