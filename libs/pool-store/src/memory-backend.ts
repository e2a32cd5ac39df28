import type { VersionedBackend } from './batching-store';
import { ChangeFeed } from './change-feed';

/** The pool in this process's memory; for tests and trying things out. */
export class MemoryBackend implements VersionedBackend {
  private text: string | null = null;
  private version = 0;
  private readonly feed = new ChangeFeed();

  async load(): Promise<{ text: string | null; version: string | null }> {
    return { text: this.text, version: this.text === null ? null : String(this.version) };
  }

  async save(text: string, version: string | null): Promise<'ok' | 'conflict'> {
    const current = this.text === null ? null : String(this.version);
    if (current !== version) return 'conflict';
    this.text = text;
    this.version++;
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
