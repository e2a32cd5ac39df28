import type { ProwJobStatus, ProwJobSummary } from '@ci-stack/manual-trigger-api';
import { canAbort, jobsToFollow, refsText, mergeList, rerunModes, rerunPath, withRerun, withStatus, withSummary, type RecentJob } from './recent-jobs-model';

function job(name: string, patch: Partial<RecentJob> = {}): RecentJob {
  return {
    job_name: name,
    job: 'sddz-e2e-k8s-1.32',
    type: 'postsubmit',
    state: 'pending',
    build_id: '1001',
    description: 'Job triggered.',
    status_link: `https://prow.example.com/prowjob?prowjob=${name}`,
    log_link: null,
    url: null,
    namespace: 'prow',
    start_time: '2026-03-28T10:00:00Z',
    pending_time: null,
    completion_time: null,
    pod_name: name,
    refs: { org: 'tess', repo: 'tessops', base_ref: 'master' },
    triggered_by: 'alice',
    rerun_of: null,
    ended: false,
    ...patch,
  };
}

describe('Recent jobs', () => {
  it('follows the newest running jobs, at most four (a browser has six connections per host)', () => {
    const jobs = [job('a', { state: 'success', ended: true }), job('b'), job('c', { gone: true }), job('d'), job('e', { state: 'triggered' }), job('f'), job('g')];
    expect(jobsToFollow(jobs)).toEqual(['b', 'd', 'e', 'f']);
  });

  it('offers abort only for triggered and pending jobs, and rerun latest except for batch jobs', () => {
    expect(['scheduling', 'triggered', 'pending', 'success', 'aborted'].map((state) => canAbort(job('a', { state: state as RecentJob['state'] })))).toEqual([false, true, true, false, false]);
    expect(canAbort(job('a', { gone: true }))).toBe(false);
    expect(rerunModes(job('a'))).toEqual(['original', 'latest']);
    expect(rerunModes(job('a', { type: 'batch' }))).toEqual(['original']);
    expect(rerunPath('a b', 'original')).toBe('/prowjobs/a%20b/rerun?mode=original');
  });

  it('says what a job ran on: repository, branch and pull request', () => {
    expect(refsText(job('a'))).toBe('tess/tessops · master');
    expect(refsText(job('a', { type: 'presubmit', refs: { org: 'tess', repo: 'tessops', base_ref: 'main', pulls: [{ number: 42, author: 'bob', sha: 'abc' }] } }))).toBe('tess/tessops · main · PR #42');
    expect(refsText(job('a', { type: 'periodic', refs: null }))).toBe('');
  });

  it('keeps an end the page saw when a list read a moment earlier still says the job runs', () => {
    const before = [job('a', { state: 'success', ended: true }), job('b')];
    const fresh: ProwJobSummary[] = [job('c'), job('a'), job('b', { state: 'failure', ended: true })];
    expect(mergeList(before, fresh).map((j) => `${j.job_name} ${j.state}`)).toEqual(['c pending', 'a success', 'b failure']);
    expect(mergeList(undefined, fresh)).toEqual(fresh);
  });

  it('puts streamed summaries and statuses in place, marking deleted jobs gone', () => {
    const jobs = [job('a'), job('b')];
    expect(withSummary(jobs, job('b', { state: 'success', ended: true }), 'status')[1]).toMatchObject({ state: 'success', ended: true, gone: false });
    expect(withSummary(jobs, job('a', { state: 'success', ended: true }), 'deleted')[0]).toMatchObject({ gone: true });
    const aborted: ProwJobStatus = { success: true, message: 'ProwJob b aborted', job_name: 'b', state: 'aborted', type: 'postsubmit', job: 'sddz-e2e-k8s-1.32', build_id: '1001', status_link: null, log_link: null, description: 'alice successfully aborted b.', start_time: '2026-03-28T10:00:00Z', pending_time: null, completion_time: null, pod_name: 'b' };
    expect(withStatus(jobs, aborted)[1]).toMatchObject({ state: 'aborted', ended: true, description: 'alice successfully aborted b.', triggered_by: 'alice', refs: { org: 'tess' } });
  });

  it("adds a rerun's ProwJob on top, once, naming the job it reran", () => {
    const jobs = [job('a')];
    const answer = { success: true as const, message: 'ProwJob created successfully as a rerun of a', job_name: 'r1', state: 'triggered' as const, type: 'postsubmit' as const, job: 'sddz-e2e-k8s-1.32', build_id: null, status_link: 'https://prow.example.com/prowjob?prowjob=r1', log_link: null, rerun_of: 'a' };
    const after = withRerun(jobs, answer, jobs[0]);
    expect(after.map((j) => j.job_name)).toEqual(['r1', 'a']);
    expect(after[0]).toMatchObject({ rerun_of: 'a', ended: false, refs: jobs[0].refs, start_time: null });
    expect(withRerun(after, { ...answer, idempotent_replay: true }, jobs[0])).toEqual(after);
    expect(withRerun(jobs, answer, jobs[0], 1).map((j) => j.job_name)).toEqual(['r1']);
  });
});
