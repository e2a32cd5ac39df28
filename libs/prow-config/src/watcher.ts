import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { loadProwConfig, type LoadedProwConfig, type ProwConfigPaths } from './load';
import { ConfigLoadError, formatProblem } from './problems';

/** The health of the watcher, for metrics and readiness. */
export interface WatcherStatus {
  lastSuccess?: Date;
  lastFailure?: Date;
  lastError?: string;
  reloads: number;
  failures: number;
}

export interface ConfigWatcherOptions {
  paths: ProwConfigPaths;
  debounceMs?: number;
  now?: () => Date;
  /** For testing: the loader to use. */
  load?: (paths: ProwConfigPaths) => Promise<LoadedProwConfig>;
}

/**
 * Keeps the latest good Prow config. Watches directories, not files, so the atomic `..data` symlink swap that
 * Kubernetes uses to update a mounted ConfigMap is seen; bursts of events are debounced into one reload. A failed
 * reload keeps the last good config serving and is reported in {@link status} and by a `reload-failed` event.
 */
export class ConfigWatcher extends EventEmitter {
  private loaded?: LoadedProwConfig;
  private readonly watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private readonly state: WatcherStatus = { reloads: 0, failures: 0 };
  private readonly load: (paths: ProwConfigPaths) => Promise<LoadedProwConfig>;
  private readonly now: () => Date;

  constructor(private readonly opts: ConfigWatcherOptions) {
    super();
    this.now = opts.now ?? (() => new Date());
    this.load = opts.load ?? ((paths) => loadProwConfig(paths, { now: this.now }));
  }

  /** Loads the config once (throwing if it is bad) and starts watching. */
  async start(): Promise<LoadedProwConfig> {
    this.loaded = await this.load(this.opts.paths);
    this.state.lastSuccess = this.now();
    await this.watchPaths();
    return this.loaded;
  }

  current(): LoadedProwConfig {
    if (!this.loaded) throw new Error('config not loaded yet: call start() first');
    return this.loaded;
  }

  status(): WatcherStatus {
    return { ...this.state };
  }

  /** Reloads now; resolves when done (successfully or not). */
  async reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.reloadOnce().finally(() => {
      this.running = undefined;
    });
    await this.running;
    if (this.again) {
      this.again = false;
      await this.reload();
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.splice(0)) w.close();
    await this.running;
  }

  private async reloadOnce(): Promise<void> {
    try {
      const next = await this.load(this.opts.paths);
      this.loaded = next;
      this.state.reloads++;
      this.state.lastSuccess = this.now();
      this.emit('reload', next);
    } catch (err) {
      this.state.failures++;
      this.state.lastFailure = this.now();
      this.state.lastError = err instanceof ConfigLoadError ? err.problems.map(formatProblem).join('; ') : (err as Error).message;
      this.emit('reload-failed', err);
    }
  }

  private schedule = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.opts.debounceMs ?? 1000);
  };

  private async watchPaths(): Promise<void> {
    const dirs = new Set([dirname(this.opts.paths.configPath)]);
    const jobPath = this.opts.paths.jobConfigPath;
    if (jobPath) {
      const info = await stat(jobPath);
      dirs.add(info.isDirectory() ? jobPath : dirname(jobPath));
    }
    for (const dir of dirs) {
      const watcher = watch(dir, { recursive: dir === jobPath, persistent: false }, this.schedule);
      watcher.on('error', (err) => this.emit('watch-error', err));
      this.watchers.push(watcher);
    }
  }
}
