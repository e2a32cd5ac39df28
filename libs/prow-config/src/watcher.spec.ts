import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatcher } from './watcher';

const job = (name: string): string => `periodics:\n- name: ${name}\n  interval: 1h\n  spec: {containers: [{image: busybox}]}\n`;
let dir: string;
let watcher: ConfigWatcher | undefined;

/** Lays out a directory like a mounted ConfigMap: keys are symlinks through `..data` to a timestamped dir. */
async function publish(version: string, files: Record<string, string>): Promise<void> {
  const data = join(dir, 'jobs', `..${version}`);
  await mkdir(data, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(data, name), text);
  await symlink(`..${version}`, join(dir, 'jobs', '..data_tmp'));
  await rename(join(dir, 'jobs', '..data_tmp'), join(dir, 'jobs', '..data'));
  for (const name of Object.keys(files)) await symlink(`..data/${name}`, join(dir, 'jobs', name)).catch(() => undefined);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'watcher-'));
  await writeFile(join(dir, 'config.yaml'), 'pod_namespace: pods\n');
  await mkdir(join(dir, 'jobs'));
  await publish('v1', { 'jobs.yaml': job('first') });
});
afterEach(async () => {
  await watcher?.close();
  await rm(dir, { recursive: true, force: true });
});

function start(): Promise<unknown> {
  watcher = new ConfigWatcher({ paths: { configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') }, debounceMs: 50 });
  return watcher.start();
}

it('reloads when a mounted ConfigMap is swapped atomically', async () => {
  await start();
  expect(watcher!.current().index.periodic('first')).toBeDefined();
  const reloaded = once(watcher!, 'reload');
  await publish('v2', { 'jobs.yaml': job('second') });
  await reloaded;
  expect(watcher!.current().index.periodic('second')).toBeDefined();
  expect(watcher!.current().index.periodic('first')).toBeUndefined();
  expect(watcher!.status()).toMatchObject({ reloads: 1, failures: 0 });
});

it('keeps serving the last good config when a reload fails, and reports why', async () => {
  await start();
  const failed = once(watcher!, 'reload-failed');
  await publish('v2', { 'jobs.yaml': 'periodics: [\n' });
  await failed;
  expect(watcher!.current().index.periodic('first')).toBeDefined();
  const status = watcher!.status();
  expect(status.failures).toBe(1);
  expect(status.lastFailure).toBeInstanceOf(Date);
  expect(status.lastError).toMatch(/jobs\.yaml:\d+: invalid YAML/);
  const recovered = once(watcher!, 'reload');
  await publish('v3', { 'jobs.yaml': job('third') });
  await recovered;
  expect(watcher!.current().index.periodic('third')).toBeDefined();
});

it('debounces a burst of changes into one reload', async () => {
  await start();
  let reloads = 0;
  watcher!.on('reload', () => reloads++);
  // Written without giving the event loop a turn: the watcher hears all five as one burst however slow the disk.
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'config.yaml'), `pod_namespace: pods${i}\n`);
  await once(watcher!, 'reload');
  await new Promise((r) => setTimeout(r, 150));
  expect(reloads).toBe(1);
  expect(watcher!.current().config.pod_namespace).toBe('pods4');
});

it('refuses to start on a bad config', async () => {
  await writeFile(join(dir, 'config.yaml'), 'plank: 3\n');
  await expect(start()).rejects.toThrow('plank must be a mapping');
});
