import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { KubeGoneError, kubeCall, toKubeError, type KubeRequest } from '@ci-stack/kube';
import type { ProwJob } from '@ci-stack/prowjob-api';

const GROUP = 'prow.k8s.io';
const VERSION = 'v1';
const PLURAL = 'prowjobs';

export interface ProwJobClientOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Deadline for each API call. */
  requestTimeoutMs?: number;
}

/** What a wait for the build id ended with. */
export interface WaitResult {
  prowJob: ProwJob;
  /** True when plank set `status.build_id` before the deadline. */
  assigned: boolean;
  /** How often the watch had to be re-established (closed by the server, 410 Gone, network). */
  rewatches: number;
}

/**
 * ProwJobs in one namespace through the Kubernetes API. Every failure surfaces as a `KubeError` subclass.
 */
export class ProwJobClient {
  private readonly api: CustomObjectsApi;
  private readonly watcher: Watch;
  private readonly timeout: number;

  constructor(private readonly opts: ProwJobClientOptions) {
    this.api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.watcher = new Watch(opts.kubeConfig);
    this.timeout = opts.requestTimeoutMs ?? 10_000;
  }

  get namespace(): string {
    return this.opts.namespace;
  }

  async create(prowJob: ProwJob): Promise<ProwJob> {
    return (await kubeCall(this.request('create'), this.timeout, () =>
      this.api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: PLURAL, body: prowJob }),
    )) as ProwJob;
  }

  async get(name: string): Promise<ProwJob> {
    return (await kubeCall(this.request('get'), this.timeout, () =>
      this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: PLURAL, name }),
    )) as ProwJob;
  }

  async list(labelSelector: string, limit?: number): Promise<ProwJob[]> {
    const result = (await kubeCall(this.request('list'), this.timeout, () =>
      this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: PLURAL, labelSelector, limit }),
    )) as { items: ProwJob[] };
    return result.items;
  }

  /** The request as RBAC names it, so that a refusal says which permission is missing. */
  private request(verb: 'create' | 'get' | 'list'): KubeRequest {
    return { verb, resource: PLURAL, group: GROUP, namespace: this.opts.namespace };
  }

  /** A cheap call that proves the API server answers and we may list ProwJobs. */
  async ping(): Promise<void> {
    await this.list('', 1);
  }

  /**
   * Waits until plank sets `status.build_id`, watching the one object from the resourceVersion we know. A watch
   * that the server closes, that fails, or that answers 410 Gone is re-established from a fresh read.
   */
  async waitForBuildId(created: ProwJob, timeoutMs: number): Promise<WaitResult> {
    let latest = created;
    let rewatches = 0;
    const deadline = Date.now() + timeoutMs;
    while (!latest.status?.build_id && Date.now() < deadline) {
      const outcome = await this.watchOnce(latest, deadline - Date.now());
      latest = outcome.latest;
      if (outcome.reason === 'assigned' || outcome.reason === 'deadline') break;
      rewatches++;
      if (outcome.reason === 'gone' || outcome.reason === 'error') {
        latest = await this.get(created.metadata.name).catch(() => latest);
        if (outcome.reason === 'error') await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      }
    }
    return { prowJob: latest, assigned: Boolean(latest.status?.build_id), rewatches };
  }

  private watchOnce(from: ProwJob, budgetMs: number): Promise<{ latest: ProwJob; reason: 'assigned' | 'deadline' | 'closed' | 'gone' | 'error' }> {
    return new Promise((resolve) => {
      let latest = from;
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (reason: 'assigned' | 'deadline' | 'closed' | 'gone' | 'error'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller?.abort();
        resolve({ latest, reason });
      };
      const timer = setTimeout(() => finish('deadline'), Math.max(0, budgetMs));
      const path = `/apis/${GROUP}/${VERSION}/namespaces/${this.opts.namespace}/${PLURAL}`;
      const query = { fieldSelector: `metadata.name=${from.metadata.name}`, resourceVersion: from.metadata.resourceVersion ?? '0', allowWatchBookmarks: true };
      this.watcher
        .watch(
          path,
          query,
          (type: string, obj: unknown) => {
            if (type === 'ERROR') {
              const code = (obj as { code?: number }).code;
              return finish(code === 410 ? 'gone' : 'error');
            }
            if (type === 'ADDED' || type === 'MODIFIED') {
              latest = obj as ProwJob;
              if (latest.status?.build_id) finish('assigned');
            }
            return undefined;
          },
          (err: unknown) => {
            if (!err) return finish('closed');
            const translated = toKubeError(err);
            finish(translated instanceof KubeGoneError ? 'gone' : 'error');
          },
        )
        .then(
          (c) => {
            controller = c;
            if (settled) c.abort();
          },
          () => finish('error'),
        );
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
