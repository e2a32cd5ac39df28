import { branchAllowed, branchRule, defaultBranch, filterJobs, jobKey, orgsAndRepos, NO_FILTER, type JobSummary } from './catalog-model';

const jobs: JobSummary[] = [
  { type: 'postsubmit', name: 'sddz-e2e-k8s-1.32', org: 'tess', repo: 'tessops', branches: ['master'], cluster: 'default', decorated: true },
  { type: 'presubmit', name: 'pull-tessops-unit', org: 'tess', repo: 'tessops', skip_branches: ['^gh-pages$'], cluster: 'default', decorated: true },
  { type: 'presubmit', name: 'pull-other-lint', org: 'acme', repo: 'web', cluster: 'build-2', decorated: false },
  { type: 'periodic', name: 'periodic-nightly', cluster: 'default', decorated: true, schedule: '0 3 * * *' },
];

describe('the job catalog', () => {
  it('filters by org, repo, type and a search of name, repository or cluster', () => {
    expect(filterJobs(jobs, NO_FILTER)).toHaveLength(4);
    expect(filterJobs(jobs, { ...NO_FILTER, org: 'tess' }).map((j) => j.name)).toEqual(['sddz-e2e-k8s-1.32', 'pull-tessops-unit']);
    expect(filterJobs(jobs, { ...NO_FILTER, type: 'periodic' }).map((j) => j.name)).toEqual(['periodic-nightly']);
    expect(filterJobs(jobs, { ...NO_FILTER, text: 'BUILD-2' }).map((j) => j.name)).toEqual(['pull-other-lint']);
    expect(filterJobs(jobs, { ...NO_FILTER, text: 'acme/web' }).map((j) => j.name)).toEqual(['pull-other-lint']);
    expect(orgsAndRepos(jobs, 'tess')).toEqual({ orgs: ['acme', 'tess'], repos: ['tessops'] });
  });

  it("applies Prow's branch rule: whole-name regular expressions, skip_branches first", () => {
    expect(branchAllowed({ branches: ['master', 'release-.*'] }, 'release-1.2')).toBe(true);
    expect(branchAllowed({ branches: ['master'] }, 'master-old')).toBe(false);
    expect(branchAllowed({ skip_branches: ['^gh-pages$'] }, 'gh-pages')).toBe(false);
    expect(branchAllowed({}, 'anything')).toBe(true);
    expect(branchAllowed({ branches: ['release-[('] }, 'release-[(')).toBe(true); // not a valid pattern: literal
    expect(branchRule(jobs[1])).toBe('runs on every branch; never on ^gh-pages$');
    expect(branchRule(jobs[3])).toBe('periodic: no branch');
  });

  it('names jobs for links and picks a branch to start from', () => {
    expect(jobKey(jobs[0])).toBe('postsubmit/tess/tessops/sddz-e2e-k8s-1.32');
    expect(jobKey(jobs[3])).toBe('periodic/periodic-nightly');
    expect(defaultBranch({ branches: ['release-.*', 'main'] })).toBe('main');
    expect(defaultBranch({})).toBe('master');
  });
});
