import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCheckConfig } from './check';

const EXAMPLES = resolve(__dirname, '../../../examples/prow');

async function run(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCheckConfig(argv, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

it('accepts the example config and prints job counts', async () => {
  const r = await run(['--config-path', join(EXAMPLES, 'config.yaml'), '--job-config-path', join(EXAMPLES, 'jobs')]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^presubmits: 3\npostsubmits: 3\nperiodics: 2\ntotal: 8\nconfig is valid/);
  expect(r.err).toBe('');
});

it('prints every problem with its location and exits 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'check-'));
  try {
    await writeFile(join(dir, 'config.yaml'), '');
    await writeFile(join(dir, 'jobs.yaml'), 'periodics:\n- name: a\n  spec: {containers: [{image: x}]}\n- name: "b c"\n  interval: 1h\n');
    const r = await run([], { CONFIG_PATH: join(dir, 'config.yaml'), JOB_CONFIG_PATH: join(dir, 'jobs.yaml') });
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([
      `${dir}/jobs.yaml:2: job a: periodic: a periodic needs exactly one of cron, interval or minimum_interval, has none`,
      `${dir}/jobs.yaml: job b c: periodic: name "b c" must match ^[A-Za-z0-9-._]+$`,
      `${dir}/jobs.yaml: job b c: periodic: a kubernetes job needs a pod spec (spec)`,
    ]);
    expect(r.out).toContain('3 problem(s) found');
    const json = await run(['--json', '--config-path', join(dir, 'config.yaml'), '--job-config-path', join(dir, 'jobs.yaml')]);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, counts: { periodics: 0 }, problems: [{ job: 'a' }, { job: 'b c' }, { job: 'b c' }] });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('exits 2 with a usage message when the config path is missing', async () => {
  const r = await run(['--bogus']);
  expect(r.code).toBe(2);
  expect(r.err).toContain('unknown flag --bogus');
  expect(r.err).toContain('--config-path (or CONFIG_PATH) is required');
});
