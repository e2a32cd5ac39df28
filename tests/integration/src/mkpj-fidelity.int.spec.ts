// Our ProwJob against the one Prow's own mkpj builds from the same config and refs, field by field; and every
// ProwJob we build accepted by the real API server's ProwJob CRD (a server-side dry run, unknown fields refused).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest, runMkpj, sharedKubeEnv } from '@ci-stack/kube-env';
import { type JobSummary, type LoadedProwConfig, branchAllowed, loadProwConfig } from '@ci-stack/prow-config';
import { type ConfigShape, generateProwConfig, writeShapeConfig } from '@ci-stack/prow-config/testing';
import { newProwJob, periodicSpec, postsubmitSpec, presubmitSpec, type Brancher, type JobBase, type Periodic, type Postsubmit, type Presubmit, type ProwJob, type Refs } from '@ci-stack/prowjob-api';
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

/** One job to compare: the definition mkpj will pick for its name, and a branch it runs on. */
interface Target {
  type: 'presubmit' | 'postsubmit' | 'periodic';
  job: JobBase;
  org?: string;
  repo?: string;
  baseRef?: string;
}

function ours(target: Target): ProwJob {
  const { job, type } = target;
  const now = new Date();
  if (type === 'periodic') return newProwJob(periodicSpec(job as Periodic), job.labels, job.annotations, { now });
  const refs: Refs = { org: target.org ?? '', repo: target.repo ?? '', base_ref: target.baseRef, base_sha: BASE_SHA };
  const spec =
    type === 'presubmit'
      ? presubmitSpec(job as Presubmit, { ...refs, pulls: [{ number: 42, author: 'alice', sha: PULL_SHA }] })
      : postsubmitSpec(job as Postsubmit, refs);
  return newProwJob(spec, job.labels, job.annotations, { now });
}

async function prows(mkpj: string, paths: { configPath: string; jobConfigPath: string }, target: Target): Promise<Record<string, unknown>> {
  const pull = target.type === 'presubmit' ? { pullNumber: 42, pullSha: PULL_SHA, pullAuthor: 'alice' } : {};
  const base = target.type === 'periodic' ? {} : { baseRef: target.baseRef, baseSha: BASE_SHA };
  return runMkpj(mkpj, { ...paths, job: target.job.name, ...base, ...pull });
}

/** A branch the job runs on: its first literal `branches` entry, else master or main. */
function baseRefFor(job: Brancher): string | undefined {
  const literals = (job.branches ?? []).map((b) => b.replace(/^\^(.*)\$$/, '$1')).filter((b) => /^[\w./-]+$/.test(b));
  return [...literals, 'master', 'main'].find((branch) => branchAllowed(job, branch));
}

/**
 * The jobs whose ProwJob mkpj builds deterministically, each as mkpj picks it: mkpj takes the first job of a
 * name among presubmits (iterating repos in Go's random map order), then postsubmits, then periodics; a name
 * defined in two repos of one kind is skipped.
 */
function targetsOf(loaded: LoadedProwConfig): Target[] {
  const byName = new Map<string, JobSummary[]>();
  for (const j of loaded.index.list()) byName.set(j.name, [...(byName.get(j.name) ?? []), j]);
  const targets: Target[] = [];
  for (const [name, defs] of byName) {
    for (const type of ['presubmit', 'postsubmit', 'periodic'] as const) {
      const ofType = defs.filter((d) => d.type === type);
      if (ofType.length === 0) continue;
      if (type === 'periodic') {
        targets.push({ type, job: loaded.index.periodic(name)! });
        break;
      }
      const repos = new Set(ofType.map((d) => `${d.org}/${d.repo}`));
      if (repos.size > 1) break;
      const [org, repo] = [...repos][0].split('/');
      const job = (type === 'presubmit' ? loaded.index.presubmits : loaded.index.postsubmits).call(loaded.index, `${org}/${repo}`, name)[0];
      const baseRef = baseRefFor(job);
      if (baseRef) targets.push({ type, job, org, repo, baseRef });
      break;
    }
  }
  return targets;
}

/** The API server's answer to creating the ProwJob in a server-side dry run: undefined when it accepts it. */
async function crdRefusal(pj: ProwJob): Promise<string | undefined> {
  const { server, adminToken } = sharedKubeEnv();
  const url = `${server}/apis/prow.k8s.io/v1/namespaces/prow/prowjobs?dryRun=All&fieldValidation=Strict`;
  const res = await rawRequest('POST', url, adminToken, pj);
  return res.status === 201 ? undefined : `${res.status} ${(JSON.parse(res.body) as { message?: string }).message ?? res.body}`;
}

/** Compares every job mkpj builds deterministically (see targetsOf), and checks each of ours against the CRD. */
async function compareAll(paths: { configPath: string; jobConfigPath: string }): Promise<{ compared: number; differences: string[] }> {
  const { bins } = sharedKubeEnv();
  const targets = targetsOf(await loadProwConfig(paths));
  const differences: string[] = [];
  const queue = [...targets];
  // Two mkpj at a time: each is a separate process loading the whole config.
  await Promise.all(
    [0, 1].map(async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        const where = `${target.type} ${target.job.name}`;
        const theirs = await prows(bins.mkpj, paths, target);
        const mine = ours(target);
        for (const d of fieldDiff(comparable(mine), comparable(theirs))) differences.push(`${where}: ${d}`);
        const refused = await crdRefusal(mine);
        if (refused) differences.push(`${where}: the ProwJob CRD refuses it: ${refused}`);
      }
    }),
  );
  return { compared: targets.length, differences: differences.sort() };
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

  it("for a sample of kubernetes/test-infra's config (fixtures/test-infra: 25 job files, 86 jobs)", async () => {
    const root = join(__dirname, '..', 'fixtures', 'test-infra', 'config');
    const { compared, differences } = await compareAll({ configPath: join(root, 'prow', 'config.yaml'), jobConfigPath: join(root, 'jobs') });
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(80);
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
