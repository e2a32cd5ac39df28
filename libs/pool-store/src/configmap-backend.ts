import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { KubeAlreadyExistsError, KubeConflictError, KubeNotFoundError, kubeCall } from '@ci-stack/kube';
import type { VersionedBackend } from './batching-store';
import { ChangeFeed } from './change-feed';
import { ConfigMapChangeSource } from './configmap-change-source';

export interface ConfigMapBackendOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Data key holding the pool's JSON. */
  key?: string;
  requestTimeoutMs?: number;
}

/** How many of its own recent writes a backend recognises when the watch brings them back. */
const OWN_WRITES_REMEMBERED = 16;

/** Well under the API server's 1 MiB ConfigMap limit, leaving room for metadata. */
export const CONFIGMAP_MAX_BYTES = 900 * 1024;

/**
 * The pool as JSON in one key of a ConfigMap. Every write carries the resourceVersion it read: a stale write gets
 * 409 Conflict and is retried from a fresh read by the store; the ConfigMap is created on first use. Changes by
 * other replicas are seen through a watch on the ConfigMap while someone subscribes.
 */
export class ConfigMapBackend implements VersionedBackend {
  readonly maxBytes = CONFIGMAP_MAX_BYTES;
  private readonly api: CoreV1Api;
  private readonly key: string;
  private readonly timeout: number;
  private readonly ownWrites: string[] = [];
  private readonly feed: ChangeFeed;

  constructor(private readonly opts: ConfigMapBackendOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.key = opts.key ?? 'pool.json';
    this.timeout = opts.requestTimeoutMs ?? 10_000;
    const isOwnWrite = (version: string): boolean => this.ownWrites.includes(version);
    this.feed = new ChangeFeed(new ConfigMapChangeSource({ kubeConfig: opts.kubeConfig, namespace: opts.namespace, name: opts.name, isOwnWrite }));
  }

  async load(): Promise<{ text: string | null; version: string | null }> {
    try {
      const cm = await kubeCall('read pool configmap', this.timeout, () => this.api.readNamespacedConfigMap({ name: this.opts.name, namespace: this.opts.namespace }));
      return { text: cm.data?.[this.key] ?? '', version: cm.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (err instanceof KubeNotFoundError) return { text: null, version: null };
      throw err;
    }
  }

  async save(text: string, version: string | null): Promise<'ok' | 'conflict'> {
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.opts.name, namespace: this.opts.namespace, labels: { 'app.kubernetes.io/managed-by': 'cimaster' }, ...(version ? { resourceVersion: version } : {}) },
      data: { [this.key]: text },
    };
    try {
      const written =
        version === null
          ? await kubeCall('create pool configmap', this.timeout, () => this.api.createNamespacedConfigMap({ namespace: this.opts.namespace, body }))
          : await kubeCall('update pool configmap', this.timeout, () => this.api.replaceNamespacedConfigMap({ name: this.opts.name, namespace: this.opts.namespace, body }));
      this.rememberOwnWrite(written.metadata?.resourceVersion);
      this.feed.emit();
      return 'ok';
    } catch (err) {
      if (err instanceof KubeConflictError || err instanceof KubeAlreadyExistsError) return 'conflict';
      throw err;
    }
  }

  subscribe(listener: () => void): () => void {
    return this.feed.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.feed.close();
  }

  private rememberOwnWrite(version: string | undefined): void {
    if (!version) return;
    this.ownWrites.push(version);
    if (this.ownWrites.length > OWN_WRITES_REMEMBERED) this.ownWrites.shift();
  }
}
