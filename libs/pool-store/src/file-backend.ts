import { open, readFile, rename } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { VersionedBackend } from './batching-store';
import { ChangeFeed } from './change-feed';

/**
 * The pool in a local JSON file, for one process. Every write is durable and atomic: write a temporary file,
 * fsync it, rename it over the old one, fsync the directory. A crash leaves the old file or the new one, never a
 * mix.
 */
export class FileBackend implements VersionedBackend {
  private cached?: { text: string | null; version: number };
  /** One process owns the file, so its own writes are all the changes there are. */
  private readonly feed = new ChangeFeed();

  constructor(private readonly path: string) {}

  async load(): Promise<{ text: string | null; version: string | null }> {
    if (!this.cached) {
      const text = await readFile(this.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      this.cached = { text, version: 0 };
    }
    return { text: this.cached.text, version: String(this.cached.version) };
  }

  async save(text: string, version: string | null): Promise<'ok' | 'conflict'> {
    if (!this.cached || String(this.cached.version) !== version) return 'conflict';
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    const dir = await open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.cached = { text, version: this.cached.version + 1 };
    this.feed.emit();
    return 'ok';
  }

  subscribe(listener: () => void): () => void {
    return this.feed.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.feed.close();
  }
}
