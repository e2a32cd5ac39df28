import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatchedFile } from './watched-file';

// An empty file is not a number either: a writer truncates before it writes, and the watch may read in between.
const parse = (text: string, source: string): number => {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n)) throw new Error(`${source}: not a number`);
  return n;
};

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

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
    await writeFile(path, '1');
    const file = new WatchedFile(path, parse);
    expect(await file.start()).toBe(1);
    await writeFile(path, 'broken');
    await file.reload();
    expect([file.current(), file.lastError]).toEqual([1, `${path}: not a number`]);
    await writeFile(path, '2');
    await eventually(() => file.current() === 2); // the directory watch reloads by itself
    expect([file.current(), file.lastError]).toEqual([2, undefined]);
    file.close();
  });
});
