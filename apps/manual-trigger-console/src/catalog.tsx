import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { Table } from '@ci-stack/console-kit';
import { branchRule, filterJobs, jobKey, orgsAndRepos, NO_FILTER, type CatalogFilter, type JobSummary } from './catalog-model';

function Select(props: { id: string; label: string; value: string; options: string[]; all: string; onChange: (v: string) => void }): JSX.Element {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">{props.all}</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Every triggerable job with its branches, cluster and decoration; search and filters by org, repo, type, name. */
export function Catalog(props: { jobs: JobSummary[] | undefined; error?: string }): JSX.Element {
  const [filter, setFilter] = useState<CatalogFilter>(NO_FILTER);
  const shown = useMemo(() => filterJobs(props.jobs ?? [], filter), [props.jobs, filter]);
  const { orgs, repos } = useMemo(() => orgsAndRepos(props.jobs ?? [], filter.org), [props.jobs, filter.org]);
  if (!props.jobs) return <p role={props.error ? 'alert' : 'status'}>{props.error ?? 'Loading the jobs…'}</p>;
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Jobs</h1>
      <div class="toolbar" role="search">
        <div class="field">
          <label for="catalog-search">Name</label>
          <input id="catalog-search" type="search" placeholder="job, org/repo or cluster" value={filter.text} onInput={(e) => setFilter({ ...filter, text: e.currentTarget.value })} />
        </div>
        <Select id="catalog-org" label="Org" value={filter.org} options={orgs} all="All orgs" onChange={(org) => setFilter({ ...filter, org, repo: '' })} />
        <Select id="catalog-repo" label="Repo" value={filter.repo} options={repos} all="All repos" onChange={(repo) => setFilter({ ...filter, repo })} />
        <Select id="catalog-type" label="Type" value={filter.type} options={['presubmit', 'postsubmit', 'periodic']} all="All types" onChange={(type) => setFilter({ ...filter, type })} />
      </div>
      <p class="muted" role="status">
        {shown.length} of {props.jobs.length} jobs
      </p>
      <Table columns={['Job', 'Type', 'Repository', 'Branches', 'Cluster', 'Decorated', <span class="muted">Action</span>]}>
        {shown.map((j) => (
          <tr key={jobKey(j)} data-job={j.name}>
            <td class="mono">{j.name}</td>
            <td>{j.type}</td>
            <td>{j.org ? `${j.org}/${j.repo}` : '—'}</td>
            <td>{j.type === 'periodic' ? (j.schedule ?? 'periodic') : branchRule(j)}</td>
            <td>{j.cluster}</td>
            <td>{j.decorated ? 'yes' : 'no'}</td>
            <td>
              <a href={`#/trigger/${jobKey(j).split('/').map(encodeURIComponent).join('/')}`} aria-label={`Trigger ${j.name}${j.org ? ` of ${j.org}/${j.repo}` : ''}`}>
                Trigger…
              </a>
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
