/** Where a backend hears of changes made by other writers (a Kubernetes watch, a Redis subscription). */
export interface ChangeSource {
  /**
   * Starts listening and keeps doing so (reconnecting as needed) until {@link stop}. Calls `changed` for each change
   * by another writer, and once every time it (re)connects, since a change may have slipped by while it was not
   * listening.
   */
  start(changed: () => void): void;
  stop(): Promise<void>;
}

/** How long a remote source keeps running after its last listener left, so a busy queue does not churn watches. */
const LINGER_MS = 60_000;

/**
 * The listeners of one backend. A backend calls {@link emit} after each of its own successful writes (an in-process
 * event, immediate); a remote source adds the writes of other replicas. The remote source runs only while someone
 * listens: waiters exist only when the pool is exhausted, and a watch on a large ConfigMap costs every replica a
 * copy of every write.
 */
export class ChangeFeed {
  private readonly listeners = new Set<() => void>();
  private running = false;
  private linger?: NodeJS.Timeout;

  constructor(
    private readonly source?: ChangeSource,
    private readonly lingerMs = LINGER_MS, // for testing
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    clearTimeout(this.linger);
    if (this.source && !this.running) {
      this.running = true;
      this.source.start(() => this.emit());
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0 || !this.running) return;
      this.linger = setTimeout(() => void this.stopSource(), this.lingerMs);
      this.linger.unref();
    };
  }

  /** Tells every listener that the pool may have changed. */
  emit(): void {
    if (this.listeners.size === 0) return; // every write calls this; most have nobody waiting
    for (const listener of [...this.listeners]) listener();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.stopSource();
  }

  private async stopSource(): Promise<void> {
    clearTimeout(this.linger);
    if (!this.running) return;
    this.running = false;
    await this.source?.stop();
  }
}
