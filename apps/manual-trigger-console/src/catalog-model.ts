import type { JobSummary } from '@ci-stack/manual-trigger-api';

// Types only: the console shows what manual-trigger's contract describes, and bundles none of its code.
export type { JobSummary };

export interface CatalogFilter {
  text: string;
  org: string;
  repo: string;
  type: string;
}

export const NO_FILTER: CatalogFilter = { text: '', org: '', repo: '', type: '' };

export function filterJobs(jobs: readonly JobSummary[], f: CatalogFilter): JobSummary[] {
  const q = f.text.trim().toLowerCase();
  return jobs.filter(
    (j) =>
      (!f.org || j.org === f.org) &&
      (!f.repo || j.repo === f.repo) &&
      (!f.type || j.type === f.type) &&
      (!q || j.name.toLowerCase().includes(q) || `${j.org ?? ''}/${j.repo ?? ''}`.toLowerCase().includes(q) || j.cluster.toLowerCase().includes(q)),
  );
}

/** The orgs of the catalog, and the repos of one org (all repos when none is chosen). */
export function orgsAndRepos(jobs: readonly JobSummary[], org: string): { orgs: string[]; repos: string[] } {
  const orgs = new Set<string>();
  const repos = new Set<string>();
  for (const j of jobs) {
    if (j.org) orgs.add(j.org);
    if (j.repo && (!org || j.org === org)) repos.add(j.repo);
  }
  return { orgs: [...orgs].sort(), repos: [...repos].sort() };
}

/** The job's branch filters as a sentence, the way Prow applies them. */
export function branchRule(j: Pick<JobSummary, 'type' | 'branches' | 'skip_branches'>): string {
  if (j.type === 'periodic') return 'periodic: no branch';
  const runs = j.branches?.length ? `runs on ${j.branches.join(', ')}` : 'runs on every branch';
  return j.skip_branches?.length ? `${runs}; never on ${j.skip_branches.join(', ')}` : runs;
}

/**
 * Prow's branch rule: each entry is a regular expression matched against the whole branch name; skip_branches
 * wins over branches. A preview only: the service decides and says why.
 */
export function branchAllowed(j: Pick<JobSummary, 'branches' | 'skip_branches'>, branch: string): boolean {
  const full = (p: string): boolean => {
    try {
      return new RegExp(`^(?:${p})$`).test(branch);
    } catch {
      return p === branch;
    }
  };
  if (j.skip_branches?.some(full)) return false;
  return !j.branches?.length || j.branches.some(full);
}

/** A job's identity in the catalog and in links: `type/org/repo/name`, or `periodic/name`. */
export function jobKey(j: Pick<JobSummary, 'type' | 'org' | 'repo' | 'name'>): string {
  return j.type === 'periodic' ? `periodic/${j.name}` : `${j.type}/${j.org}/${j.repo}/${j.name}`;
}

/** A branch the job runs on, to fill the form with: the first literal entry of its branches, else master. */
export function defaultBranch(j: Pick<JobSummary, 'branches'>): string {
  return j.branches?.find((b) => /^[\w./-]+$/.test(b)) ?? 'master';
}
