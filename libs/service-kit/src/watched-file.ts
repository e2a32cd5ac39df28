import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DomainError } from '@ci-stack/core';

/**
 * A file a service reads (an inventory, a token file) is missing or invalid: the message names the file and every
 * problem, so that a service failing at start says what to fix rather than printing a stack.
 */
export class FileInvalidError extends DomainError {
  constructor(message: string) {
    super('invalid', 'FILE_INVALID', message);
  }
}

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
    const text = await readFile(this.path, 'utf8').catch((err: Error) => {
      throw new FileInvalidError(`${this.path}: cannot read it: ${err.message}`);
    });
    this.value = this.parse(text, this.path);
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
