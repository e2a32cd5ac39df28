import { parseGrants } from './auth';

function grants(entry: Record<string, unknown>): { grants: unknown; problems: string[] } {
  const problems: string[] = [];
  return { grants: parseGrants(entry, 'tokens[0]', problems), problems };
}

describe("manual-trigger's grants in the token file", () => {
  it.each([
    [{}, []],
    [{ allow: [{}] }, [{}]],
    [{ allow: [{ org: 'tess', repo: 'tess*', jobs: ['sddz-*'], types: ['postsubmit', 'periodic'] }] }, [{ org: 'tess', repo: 'tess*', jobs: ['sddz-*'], types: ['postsubmit', 'periodic'] }]],
    [{ allow: [{ verbs: ['read', 'abort'] }] }, [{ verbs: ['read', 'abort'] }]],
  ])('%j → %j', (entry, expected) => {
    expect(grants(entry)).toEqual({ grants: expected, problems: [] });
  });

  it.each([
    [{ allow: 'all' }, ['tokens[0].allow must be a list']],
    [{ allow: ['tess'] }, ['tokens[0].allow[0] must be a mapping of org, repo, jobs, types and verbs']],
    [{ allow: [{ org: 5, jobs: 'sddz-*' }] }, ['tokens[0].allow[0].org must be a string (a glob like "tess*")', 'tokens[0].allow[0].jobs must be a list of job name globs']],
    [{ allow: [{}, { types: ['nightly'] }] }, ['tokens[0].allow[1].types must be a list of presubmit, postsubmit, periodic, batch']],
    [{ allow: [{ verbs: ['read', 'delete'] }] }, ['tokens[0].allow[0].verbs: unknown verb "delete" (known: trigger, read, abort, rerun)']],
    [{ allow: [{ verbs: [] }] }, ['tokens[0].allow[0].verbs must be a non-empty list of trigger, read, abort, rerun']],
    [{ allow: [{ verbs: 'read' }] }, ['tokens[0].allow[0].verbs must be a non-empty list of trigger, read, abort, rerun']],
  ])('%j is refused: %j', (entry, problems) => {
    expect(grants(entry).problems).toEqual(problems);
  });
});
