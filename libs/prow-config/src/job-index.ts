import type { JobBase, Periodic, Postsubmit, Presubmit, ProwJobType } from '@ci-stack/prowjob-api';
import { branchAllowed } from './branches';
import { splitRepoKey, type RepoKey } from './repo-key';

/** What a catalog of triggerable jobs shows for each job. */
export interface JobSummary {
  type: ProwJobType;
  name: string;
  org?: string;
  repo?: string;
  branches?: string[];
  skip_branches?: string[];
  cluster: string;
  decorated: boolean;
  schedule?: string;
}

export interface JobFilter {
  org?: string;
  repo?: string;
  type?: ProwJobType;
}

/** Constant-time lookup of jobs by (org/repo, name) and periodics by name. */
export class JobIndex {
  private readonly pre = new Map<string, Presubmit[]>();
  private readonly post = new Map<string, Postsubmit[]>();
  private readonly periodicByName = new Map<string, Periodic>();

  constructor(
    presubmits: Map<string, Presubmit[]>,
    postsubmits: Map<string, Postsubmit[]>,
    private readonly periodicList: Periodic[],
  ) {
    for (const [repo, jobs] of presubmits) for (const job of jobs) push(this.pre, key(repo, job.name), job);
    for (const [repo, jobs] of postsubmits) for (const job of jobs) push(this.post, key(repo, job.name), job);
    for (const job of periodicList) this.periodicByName.set(job.name, job);
    this.repos = { presubmits, postsubmits };
  }

  private readonly repos: { presubmits: Map<string, Presubmit[]>; postsubmits: Map<string, Postsubmit[]> };

  /** Every presubmit of that name in the repo (several may exist for disjoint branches). */
  presubmits(orgRepo: string, name: string): readonly Presubmit[] {
    return this.pre.get(key(orgRepo, name)) ?? [];
  }

  postsubmits(orgRepo: string, name: string): readonly Postsubmit[] {
    return this.post.get(key(orgRepo, name)) ?? [];
  }

  /** The presubmit of that name that may run on `branch`, if any. */
  presubmit(orgRepo: string, name: string, branch?: string): Presubmit | undefined {
    return pick(this.presubmits(orgRepo, name), branch);
  }

  postsubmit(orgRepo: string, name: string, branch?: string): Postsubmit | undefined {
    return pick(this.postsubmits(orgRepo, name), branch);
  }

  periodic(name: string): Periodic | undefined {
    return this.periodicByName.get(name);
  }

  counts(): { presubmits: number; postsubmits: number; periodics: number } {
    let presubmits = 0;
    let postsubmits = 0;
    for (const list of this.pre.values()) presubmits += list.length;
    for (const list of this.post.values()) postsubmits += list.length;
    return { presubmits, postsubmits, periodics: this.periodicList.length };
  }

  /** The catalog, optionally filtered, sorted by type, repo and name. */
  list(filter: JobFilter = {}): JobSummary[] {
    const out: JobSummary[] = [];
    const wantRepo = ({ org, repo }: RepoKey): boolean => (!filter.org || filter.org === org) && (!filter.repo || filter.repo === repo);
    const addRepoJobs = (type: 'presubmit' | 'postsubmit', map: Map<string, Array<Presubmit | Postsubmit>>): void => {
      if (filter.type && filter.type !== type) return;
      for (const [orgRepo, jobs] of map) {
        const { org, repo } = splitRepoKey(orgRepo) ?? { org: orgRepo, repo: '' };
        if (!wantRepo({ org, repo })) continue;
        for (const job of jobs) out.push({ ...summary(type, job), org, repo, branches: job.branches, skip_branches: job.skip_branches });
      }
    };
    addRepoJobs('presubmit', this.repos.presubmits);
    addRepoJobs('postsubmit', this.repos.postsubmits);
    if ((!filter.type || filter.type === 'periodic') && !filter.org && !filter.repo) {
      for (const job of this.periodicList) out.push({ ...summary('periodic', job), schedule: job.cron ?? job.interval ?? job.minimum_interval });
    }
    return out.sort((a, b) => a.type.localeCompare(b.type) || `${a.org}/${a.repo}`.localeCompare(`${b.org}/${b.repo}`) || a.name.localeCompare(b.name));
  }
}

function summary(type: ProwJobType, job: JobBase): JobSummary {
  return { type, name: job.name, cluster: job.cluster, decorated: job.decoration_config !== undefined };
}

function key(orgRepo: string, name: string): string {
  return `${orgRepo}\u0000${name}`;
}

function push<T>(map: Map<string, T[]>, k: string, value: T): void {
  const list = map.get(k);
  if (list) list.push(value);
  else map.set(k, [value]);
}

function pick<T extends Presubmit | Postsubmit>(jobs: readonly T[], branch?: string): T | undefined {
  if (branch === undefined) return jobs[0];
  return jobs.find((job) => branchAllowed(job, branch));
}
