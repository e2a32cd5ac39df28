import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A file parsed once at start and again whenever it changes, such as a token file from a mounted Secret. The
 * directory is watched, because Kubernetes updates a mounted Secret by an atomic symlink swap. A bad new version
 * keeps the last good one in use and is reported in {@link lastError}.
 */
export class WatchedFile<T> {
  private value?: T;
  private watcher?: FSWatcher;
  lastError?: string;

  constructor(
    private readonly path: string,
    private readonly parse: (text: string, source: string) => T,
  ) {}

  /** Reads and parses the file; throws when it is missing or invalid, so a service fails at start. */
  async start(): Promise<T> {
    this.value = this.parse(await readFile(this.path, 'utf8'), this.path);
    this.watcher = watch(dirname(this.path), { persistent: false }, () => void this.reload());
    return this.value;
  }

  async reload(): Promise<void> {
    try {
      this.value = this.parse(await readFile(this.path, 'utf8'), this.path);
      this.lastError = undefined;
    } catch (err) {
      this.lastError = (err as Error).message;
    }
  }

  current(): T {
    if (this.value === undefined) throw new Error(`${this.path} not loaded yet: call start() first`);
    return this.value;
  }

  close(): void {
    this.watcher?.close();
  }
}
