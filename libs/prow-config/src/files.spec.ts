import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareBytes, listJobConfigFiles } from './files';
import { loadProwConfig } from './load';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(paths: string[], text = ''): Promise<void> {
  for (const path of paths) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

describe("job config files in Go's filepath.Walk order", () => {
  it('sorts each directory by name and descends where the directory sorts, unlike a sort of whole paths', async () => {
    await write(['jobs/a-b/y.yaml', 'jobs/a/x.yaml', 'jobs/a.b/z.yaml', 'jobs/a.yaml', 'jobs/A/upper.yaml', 'jobs/a/b/deep.yml', 'jobs/a_b/u.yaml', 'jobs/a0/d.yaml']);
    const files = await listJobConfigFiles(join(dir, 'jobs'), []);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'jobs/A/upper.yaml',
      'jobs/a/b/deep.yml',
      'jobs/a/x.yaml',
      'jobs/a-b/y.yaml',
      'jobs/a.b/z.yaml',
      'jobs/a.yaml',
      'jobs/a0/d.yaml',
      'jobs/a_b/u.yaml',
    ]);
  });

  it('skips `..` entries and other extensions, reads a link to a file but does not enter a link to a directory', async () => {
    await write(['jobs/..2026/a.yaml', 'jobs/notes.txt', 'elsewhere/linked.yaml', 'outside/inner.yaml']);
    await symlink(join(dir, 'elsewhere/linked.yaml'), join(dir, 'jobs/link.yaml'));
    await symlink(join(dir, 'outside'), join(dir, 'jobs/dir-link'));
    const files = await listJobConfigFiles(join(dir, 'jobs'), []);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['jobs/link.yaml']);
  });

  it('orders by UTF-8 bytes, as Go does, not by UTF-16 code units', () => {
    expect(['\u{1F600}', '\uFF5E', 'a'].sort(compareBytes)).toEqual(['a', '\uFF5E', '\u{1F600}']);
  });
});

describe('presets in the order Prow reads them', () => {
  it("appends each file's presets after config.yaml's in walk order, and applies presets without labels to every job", async () => {
    const preset = (name: string, label?: string) => `- ${label ? `labels: {${label}: "true"}\n  ` : ''}env: [{name: ${name}, value: v}]\n`;
    await writeFile(join(dir, 'config.yaml'), `presets:\n${preset('MAIN', 'p-main')}`);
    await write(['jobs/a-b/y.yaml'], `presets:\n${preset('AB', 'p-ab')}`);
    await write(['jobs/a/x.yaml'], `presets:\n${preset('AX', 'p-ax')}${preset('EVERY_AX')}`);
    await write(['jobs/z.yaml'], `periodics:\n- name: p\n  interval: 1h\n  labels: {p-main: "true", p-ab: "true", p-ax: "true"}\n  spec: {containers: [{image: i}]}\n- name: q\n  interval: 1h\n  spec: {containers: [{image: i}]}\n`);
    const loaded = await loadProwConfig({ configPath: join(dir, 'config.yaml'), jobConfigPath: join(dir, 'jobs') });
    expect(loaded.index.periodic('p')!.spec!.containers![0].env!.map((e) => e.name)).toEqual(['MAIN', 'AX', 'EVERY_AX', 'AB']);
    expect(loaded.index.periodic('q')!.spec!.containers![0].env!.map((e) => e.name)).toEqual(['EVERY_AX']);
  });
});
