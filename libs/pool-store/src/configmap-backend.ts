import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { KubeAlreadyExistsError, KubeConflictError, KubeNotFoundError, kubeCall } from '@ci-stack/kube';
import type { VersionedBackend } from './batching-store';

export interface ConfigMapBackendOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Data key holding the pool's JSON. */
  key?: string;
  requestTimeoutMs?: number;
}

/** Well under the API server's 1 MiB ConfigMap limit, leaving room for metadata. */
export const CONFIGMAP_MAX_BYTES = 900 * 1024;

/**
 * The pool as JSON in one key of a ConfigMap. Every write carries the resourceVersion it read: a stale write gets
 * 409 Conflict and is retried from a fresh read by the store; the ConfigMap is created on first use.
 */
export class ConfigMapBackend implements VersionedBackend {
  readonly maxBytes = CONFIGMAP_MAX_BYTES;
  private readonly api: CoreV1Api;
  private readonly key: string;
  private readonly timeout: number;

  constructor(private readonly opts: ConfigMapBackendOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.key = opts.key ?? 'pool.json';
    this.timeout = opts.requestTimeoutMs ?? 10_000;
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
      if (version === null) {
        await kubeCall('create pool configmap', this.timeout, () => this.api.createNamespacedConfigMap({ namespace: this.opts.namespace, body }));
      } else {
        await kubeCall('update pool configmap', this.timeout, () => this.api.replaceNamespacedConfigMap({ name: this.opts.name, namespace: this.opts.namespace, body }));
      }
      return 'ok';
    } catch (err) {
      if (err instanceof KubeConflictError || err instanceof KubeAlreadyExistsError) return 'conflict';
      throw err;
    }
  }

  async close(): Promise<void> {
    return undefined;
  }
}
