import http from 'node:http';
import https from 'node:https';
import { CustomObjectsApi, PatchStrategy, ServerConfiguration, Watch, createConfiguration, setHeaderOptions, type KubeConfig, type Middleware } from '@kubernetes/client-node';
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

/** One list request; `continue` and `resourceVersion` are the API server's own. */
export interface ListQuery {
  labelSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ProwJobList {
  items: ProwJob[];
  /** Present when more items follow; pass it back as `continue`. */
  continue?: string;
  /** The snapshot the page was read from. */
  resourceVersion: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  prowJob: ProwJob;
}

/** Why a watch ended: the server closed it, the resourceVersion is compacted (relist), it failed, or we stopped it. */
export type WatchEnd = 'closed' | 'gone' | 'error' | 'stopped';

export interface ProwJobWatch {
  stop(): void;
  readonly ended: Promise<WatchEnd>;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

/**
 * A change to one ProwJob. With `resourceVersion` the API server applies it only to that version and answers 409
 * (`KubeConflictError`) if anyone changed the object since, so a change never overwrites one it did not see.
 */
export type ProwJobPatch =
  | { type: 'merge'; patch: Record<string, unknown>; resourceVersion?: string }
  | { type: 'json'; operations: JsonPatchOperation[]; resourceVersion?: string };

/**
 * ProwJobs in one namespace through the Kubernetes API. Every failure surfaces as a `KubeError` subclass.
 */
export class ProwJobClient {
  private readonly api: CustomObjectsApi;
  private readonly watcher: Watch;
  private readonly timeout: number;

  constructor(private readonly opts: ProwJobClientOptions) {
    const cluster = opts.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no current cluster');
    this.api = new CustomObjectsApi(
      createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: opts.kubeConfig }, promiseMiddleware: [keepAlive()] }),
    );
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

  /** One page of ProwJobs, in the API server's (name) order. */
  async list(query: ListQuery = {}): Promise<ProwJobList> {
    const result = (await kubeCall(this.request('list'), this.timeout, () =>
      this.api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.opts.namespace,
        plural: PLURAL,
        labelSelector: query.labelSelector || undefined,
        limit: query.limit,
        _continue: query.continue || undefined,
        resourceVersion: query.resourceVersion,
        resourceVersionMatch: query.resourceVersionMatch,
      }),
    )) as { items: ProwJob[]; metadata?: { continue?: string; resourceVersion?: string } };
    return { items: result.items, continue: result.metadata?.continue || undefined, resourceVersion: result.metadata?.resourceVersion ?? '' };
  }

  async patch(name: string, change: ProwJobPatch): Promise<ProwJob> {
    const [body, contentType] =
      change.type === 'merge'
        ? [withVersion(change.patch, change.resourceVersion), PatchStrategy.MergePatch]
        : [change.resourceVersion ? [{ op: 'replace', path: '/metadata/resourceVersion', value: change.resourceVersion }, ...change.operations] : change.operations, PatchStrategy.JsonPatch];
    return (await kubeCall(this.request('patch'), this.timeout, () =>
      this.api.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: this.opts.namespace, plural: PLURAL, name, body },
        setHeaderOptions('Content-Type', contentType),
      ),
    )) as ProwJob;
  }

  /** The request as RBAC names it, so that a refusal says which permission is missing. */
  private request(verb: 'create' | 'get' | 'list' | 'patch' | 'watch'): KubeRequest {
    return { verb, resource: PLURAL, group: GROUP, namespace: this.opts.namespace };
  }

  /** A cheap call that proves the API server answers and we may list ProwJobs. */
  async ping(): Promise<void> {
    await this.list({ limit: 1 });
  }

  /**
   * Watches one ProwJob by name, from `resourceVersion` (every change after it) or, without one, from its current
   * state (an ADDED event first). The watch ends on its own when the server closes it; `ended` says why.
   */
  watch(name: string, resourceVersion: string | undefined, onEvent: (event: WatchEvent) => void): ProwJobWatch {
    let controller: AbortController | undefined;
    let finish: (why: WatchEnd) => void = () => undefined;
    let settled = false;
    const ended = new Promise<WatchEnd>((resolve) => {
      finish = (why) => {
        if (settled) return;
        settled = true;
        controller?.abort();
        resolve(why);
      };
    });
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${this.opts.namespace}/${PLURAL}`;
    // As client-go does: the API server ends each watch after 5 to 10 minutes, so a connection that died without
    // a word is noticed and the caller watches again from the last version.
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const query = { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
    this.watcher
      .watch(
        path,
        query,
        (type: string, obj: unknown) => {
          if (settled) return;
          if (type === 'ERROR') return finish((obj as { code?: number }).code === 410 ? 'gone' : 'error');
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent({ type, prowJob: obj as ProwJob });
        },
        (err: unknown) => finish(!err ? 'closed' : toKubeError(err, this.request('watch')) instanceof KubeGoneError ? 'gone' : 'error'),
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        () => finish('error'),
      );
    return { stop: () => finish('stopped'), ended };
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
      const outcome = await this.watchUntilAssigned(latest, deadline - Date.now());
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

  private async watchUntilAssigned(from: ProwJob, budgetMs: number): Promise<{ latest: ProwJob; reason: 'assigned' | 'deadline' | WatchEnd }> {
    let latest = from;
    let assigned = false;
    const watch = this.watch(from.metadata.name, from.metadata.resourceVersion ?? '0', (event) => {
      if (event.type === 'DELETED') return;
      latest = event.prowJob;
      if (latest.status?.build_id) {
        assigned = true;
        watch.stop();
      }
    });
    const timer = setTimeout(() => watch.stop(), Math.max(0, budgetMs));
    const why = await watch.ended;
    clearTimeout(timer);
    return { latest, reason: assigned ? 'assigned' : why === 'stopped' ? 'deadline' : why };
  }
}

/**
 * client-node makes a new agent for every call, so every call opens a new connection (TLS handshake included); one
 * kept-alive agent with the TLS settings of the first serves them all. Headers (the bearer token) are still set per
 * call, so a rotated token is picked up; certificates are read once per process.
 */
function keepAlive(): Middleware {
  let shared: http.Agent | undefined;
  return {
    pre: async (context) => {
      const made = context.getAgent() as (http.Agent & { options?: https.AgentOptions }) | undefined;
      if (made) {
        shared ??= made instanceof https.Agent ? new https.Agent({ ...made.options, keepAlive: true, maxSockets: 32 }) : new http.Agent({ keepAlive: true, maxSockets: 32 });
        context.setAgent(shared);
      }
      return context;
    },
    post: async (response) => response,
  };
}

function withVersion(patch: Record<string, unknown>, resourceVersion: string | undefined): Record<string, unknown> {
  if (!resourceVersion) return patch;
  const metadata = (patch.metadata ?? {}) as Record<string, unknown>;
  return { ...patch, metadata: { ...metadata, resourceVersion } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
