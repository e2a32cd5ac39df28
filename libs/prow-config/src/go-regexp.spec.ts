// Refresh expected.json with: (cd tools/go-reference && go run ./regexp ../../libs/prow-config/src/__golden__/go-regexp > ../../libs/prow-config/src/__golden__/go-regexp/expected.json)
import cases from './__golden__/go-regexp/cases.json';
import expected from './__golden__/go-regexp/expected.json';
import { GoRegexpSyntaxError, compileGoRegex } from './go-regexp';

// expected.json is what Go's regexp answers (tools/go-reference/regexp); the engine must give the same.
describe('compileGoRegex matches Go regexp', () => {
  const answers = expected as Array<{ pattern: string; error?: string; matches?: boolean[] }>;

  it.each(cases.map((c, i) => [c.pattern, c.inputs, answers[i]] as const))('%j', (pattern, inputs, answer) => {
    expect(answer.pattern).toBe(pattern);
    if (answer.error) {
      expect(() => compileGoRegex(pattern)).toThrow(new GoRegexpSyntaxError(answer.error));
      return;
    }
    const re = compileGoRegex(pattern);
    expect(inputs.map((input) => re.test(input))).toEqual(answer.matches ?? []);
  });
});
