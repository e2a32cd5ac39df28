// Our ProwJob against the one Prow's own mkpj builds from the same config and refs, field by field; and every
// ProwJob we build accepted by the real API server's ProwJob CRD (a server-side dry run, unknown fields refused).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest, runMkpj, sharedKubeEnv } from '@ci-stack/kube-env';
import { type JobSummary, type LoadedProwConfig, loadProwConfig } from '@ci-stack/prow-config';
import { type ConfigShape, generateProwConfig, writeShapeConfig } from '@ci-stack/prow-config/testing';
import { newProwJob, periodicSpec, postsubmitSpec, presubmitSpec, type ProwJob, type Refs } from '@ci-stack/prowjob-api';
import { canonical, fieldDiff } from './diff';

const BASE_SHA = '5f0c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b';
const PULL_SHA = '0123456789abcdef0123456789abcdef01234567';

/** Only what differs per run: the generated name, the start time, and build ids plank fills in later. */
function comparable(pj: ProwJob | Record<string, unknown>): unknown {
  const copy = JSON.parse(JSON.stringify(pj)) as { metadata: Record<string, unknown>; status?: Record<string, unknown> };
  delete copy.metadata.name;
  delete copy.metadata.creationTimestamp;
  delete copy.status?.startTime;
  delete copy.status?.build_id;
  for (const bag of [copy.metadata.labels, copy.metadata.annotations] as Array<Record<string, string> | undefined>) {
    if (bag) delete bag['prow.k8s.io/build-id'];
  }
  return canonical(copy);
}

function ours(loaded: LoadedProwConfig, job: JobSummary): ProwJob {
  const now = new Date();
  const refs: Refs = { org: job.org ?? '', repo: job.repo ?? '', base_ref: 'master', base_sha: BASE_SHA };
  if (job.type === 'periodic') {
    const j = loaded.index.periodic(job.name);
    if (!j) throw new Error(`periodic ${job.name} missing from the index`);
    return newProwJob(periodicSpec(j), j.labels, j.annotations, { now });
  }
  const orgRepo = `${job.org}/${job.repo}`;
  if (job.type === 'presubmit') {
    const j = loaded.index.presubmit(orgRepo, job.name, 'master');
    if (!j) throw new Error(`presubmit ${job.name} missing from the index`);
    return newProwJob(presubmitSpec(j, { ...refs, pulls: [{ number: 42, author: 'alice', sha: PULL_SHA }] }), j.labels, j.annotations, { now });
  }
  const j = loaded.index.postsubmit(orgRepo, job.name, 'master');
  if (!j) throw new Error(`postsubmit ${job.name} missing from the index`);
  return newProwJob(postsubmitSpec(j, refs), j.labels, j.annotations, { now });
}

async function prows(mkpj: string, paths: { configPath: string; jobConfigPath: string }, job: JobSummary): Promise<Record<string, unknown>> {
  const pull = job.type === 'presubmit' ? { pullNumber: 42, pullSha: PULL_SHA, pullAuthor: 'alice' } : {};
  const base = job.type === 'periodic' ? {} : { baseRef: 'master', baseSha: BASE_SHA };
  return runMkpj(mkpj, { ...paths, job: job.name, ...base, ...pull });
}

/** The API server's answer to creating the ProwJob in a server-side dry run: undefined when it accepts it. */
async function crdRefusal(pj: ProwJob): Promise<string | undefined> {
  const { server, adminToken } = sharedKubeEnv();
  const url = `${server}/apis/prow.k8s.io/v1/namespaces/prow/prowjobs?dryRun=All&fieldValidation=Strict`;
  const res = await rawRequest('POST', url, adminToken, pj);
  return res.status === 201 ? undefined : `${res.status} ${(JSON.parse(res.body) as { message?: string }).message ?? res.body}`;
}

/** Compares every job that runs on master; mkpj picks a name's first match, so names must be unique per config. */
async function compareAll(paths: { configPath: string; jobConfigPath: string }): Promise<{ compared: number; differences: string[] }> {
  const { bins } = sharedKubeEnv();
  const loaded = await loadProwConfig(paths);
  const runsOnMaster = (j: JobSummary) =>
    j.type === 'periodic' ||
    (j.type === 'presubmit' ? loaded.index.presubmit(`${j.org}/${j.repo}`, j.name, 'master') : loaded.index.postsubmit(`${j.org}/${j.repo}`, j.name, 'master'))?.name === j.name;
  const jobs = loaded.index.list().filter(runsOnMaster);
  // mkpj takes the first job of a name: presubmits, then postsubmits, then periodics.
  const precedence = { presubmit: 0, postsubmit: 1, periodic: 2, batch: 3 } as const;
  const seen = new Set<string>();
  const unique = [...jobs]
    .sort((a, b) => precedence[a.type] - precedence[b.type])
    .filter((j) => (seen.has(j.name) ? false : (seen.add(j.name), true)));
  const differences: string[] = [];
  const queue = [...unique];
  // Two mkpj at a time: each is a separate process loading the whole config.
  await Promise.all(
    [0, 1].map(async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const theirs = await prows(bins.mkpj, paths, job);
        if ((theirs.spec as { type: string }).type !== job.type) continue;
        const mine = ours(loaded, job);
        for (const d of fieldDiff(comparable(mine), comparable(theirs))) differences.push(`${job.type} ${job.name}: ${d}`);
        const refused = await crdRefusal(mine);
        if (refused) differences.push(`${job.type} ${job.name}: the ProwJob CRD refuses it: ${refused}`);
      }
    }),
  );
  return { compared: unique.length, differences: differences.sort() };
}

describe('ProwJobs equal the ones Prow mkpj builds', () => {
  it('for every job in examples/', async () => {
    const { prow } = sharedKubeEnv();
    const { compared, differences } = await compareAll(prow);
    expect(compared).toBeGreaterThanOrEqual(6);
    expect(differences).toEqual([]);
  });

  it('for a generated config of 240 jobs (presets, decoration defaults, extra_refs, path_alias, cluster, max_concurrency, labels and annotations)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fidelity-'));
    try {
      const paths = await generateProwConfig({ dir, jobs: 240, seed: 7 });
      const loaded = await loadProwConfig(paths);
      const all = loaded.index.list();
      const covers = {
        presubmits: all.filter((j) => j.type === 'presubmit').length,
        postsubmits: all.filter((j) => j.type === 'postsubmit').length,
        periodics: all.filter((j) => j.type === 'periodic').length,
        otherCluster: all.filter((j) => j.cluster !== 'default').length,
        undecorated: all.filter((j) => !j.decorated).length,
      };
      for (const [what, n] of Object.entries(covers)) expect([what, n > 0]).toEqual([what, true]);
      const { compared, differences } = await compareAll(paths);
      expect(compared).toBeGreaterThanOrEqual(200);
      expect(differences).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // The shapes real configs have: each one a general rule of Prow or of Go.
  it.each<[ConfigShape, string, number]>([
    ['preset-order', "presets in Go's filepath.Walk order over nested job directories, label-less presets on every job", 27],
    ['decoration-entries', 'every decoration duration in Go\'s form, from the job and from default_decoration_config_entries', 7],
    ['decoration-map', 'every decoration duration in Go\'s form, from the job and from the default_decoration_configs map', 7],
    ['zero-values', 'struct fields Go always writes (resourceFieldRef divisor "0", {} structs)', 1],
    ['key-case', "keys in another case than Go's field names, matched as Go's encoding/json matches them", 2],
  ])('for a generated config with %s: %s', async (shape, _what, jobs) => {
    const dir = await mkdtemp(join(tmpdir(), `fidelity-${shape}-`));
    try {
      const { compared, differences } = await compareAll(await writeShapeConfig(dir, shape));
      expect(differences).toEqual([]);
      expect(compared).toBe(jobs);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Operators can check their own Prow config: FIDELITY_CONFIG_PATH and FIDELITY_JOB_CONFIG_PATH add this case.
  const own = { configPath: process.env.FIDELITY_CONFIG_PATH, jobConfigPath: process.env.FIDELITY_JOB_CONFIG_PATH };
  if (own.configPath && own.jobConfigPath) {
    it(`for the config at ${own.configPath}`, async () => {
      const { differences } = await compareAll(own as { configPath: string; jobConfigPath: string });
      expect(differences).toEqual([]);
    });
  }
});
