import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileInvalidError, WatchedFile } from './watched-file';

const parse = (text: string, source: string): number => {
  const n = Number(text.trim());
  if (!Number.isInteger(n)) throw new Error(`${source}: not a number`);
  return n;
};

describe('WatchedFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watched-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('fails at start on a bad file, keeps the last good value when a new version is bad, and picks up changes', async () => {
    const path = join(dir, 'value');
    await writeFile(path, 'nope');
    await expect(new WatchedFile(path, parse).start()).rejects.toThrow(`${path}: not a number`);
    const missing = join(dir, 'missing');
    await expect(new WatchedFile(missing, parse).start()).rejects.toMatchObject({ code: 'FILE_INVALID', message: `${missing}: cannot read it: ENOENT: no such file or directory, open '${missing}'` });
    await expect(new WatchedFile(missing, parse).start()).rejects.toBeInstanceOf(FileInvalidError);
    await writeFile(path, '1');
    const file = new WatchedFile(path, parse);
    expect(await file.start()).toBe(1);
    await writeFile(path, 'broken');
    await file.reload();
    expect([file.current(), file.lastError]).toEqual([1, `${path}: not a number`]);
    await writeFile(path, '2');
    // The directory watch reloads by itself; on a busy machine that may take a while.
    for (let tries = 0; file.current() !== 2 && tries < 100; tries++) await new Promise((r) => setTimeout(r, 50));
    expect([file.current(), file.lastError]).toEqual([2, undefined]);
    file.close();
  });
});
