import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { alreadyExists, conflict, kubeconfigYaml, notFound, readBody, validate, verbOf } from './fake-objects';
import { type OpenWatch, startWatch } from './fake-watch';
import { listPage } from './list-pages';
import { MalformedPatchError, PatchApplyError, jsonPatch, mergePatch } from './patches';
import { status } from './selectors';
import { type KubeObj, type Resource, VersionedStore } from './versioned-store';

interface FailRule {
  verb?: string;
  resource?: string;
  name?: string;
  status: number;
  reason: string;
  times: number;
}

const ROUTE = /^\/(?:api\/v1|apis\/prow\.k8s\.io\/v1|apis\/coordination\.k8s\.io\/v1)\/namespaces\/([^/]+)\/(configmaps|prowjobs|leases)(?:\/([^/]+))?$/;
const PATCH_TYPES = 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

export interface PlankSimulation {
  delayMs: number;
  buildId?: () => string;
  urlPrefix?: string;
}

/**
 * An in-process fake kube-apiserver over real HTTP, good enough for the real `@kubernetes/client-node`: ConfigMaps,
 * Leases and ProwJobs kept in versions like etcd; lists with label selectors, `limit`/`continue` and
 * `resourceVersion(Match)`; watches from a resourceVersion; merge and JSON patches guarded by resourceVersion;
 * Kubernetes `Status` errors; and knobs to inject latency, failures, an outage, compaction, closed or expired
 * watches, and a plank that assigns build ids. The integration tier checks it against the real API server.
 */
export class FakeKubeApi {
  readonly url: string;
  readonly kubeconfigPath: string;
  private readonly store = new VersionedStore();
  private readonly watchers = new Set<OpenWatch>();
  private readonly sockets = new Set<Socket>();
  private readonly failRules: FailRule[] = [];
  private readonly forbidden = new Map<string, string[] | undefined>();
  private readonly log: Array<{ method: string; path: string; query: string; status: number }> = [];
  private now: () => Date = () => new Date();
  private latencyMs = 0;
  private down = false;
  private goneNextWatch = false;
  private plank: PlankSimulation | false = false;
  private buildCounter = 0;
  private connectionCount = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly dir: string,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(this.kubeconfigPath, kubeconfigYaml(this.url));
  }

  static async start(): Promise<FakeKubeApi> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
    const api = new FakeKubeApi(server, dir, (server.address() as { port: number }).port);
    server.on('connection', (s) => {
      api.connectionCount++;
      api.sockets.add(s);
      s.on('close', () => api.sockets.delete(s));
      if (api.down) s.destroy();
    });
    server.on('request', (req, res) => void api.handle(req, res));
    api.store.subscribe((e) => api.completeAborted(e.object));
    return api;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  async close(): Promise<void> {
    this.closeWatches();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  failNext(match: { verb?: string; resource?: string; name?: string }, statusCode: number, reason = 'InternalError', times = 1): void {
    this.failRules.push({ ...match, status: statusCode, reason, times });
  }

  forbid(resource: string, verbs?: string[]): void {
    this.forbidden.set(resource, verbs);
  }

  /** While down, every connection is destroyed on arrival (clients see ECONNRESET). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const s of this.sockets) s.destroy();
  }

  closeWatches(): void {
    for (const w of this.watchers) {
      w.stop();
      w.res.end();
    }
    this.watchers.clear();
  }

  failNextWatchWithGone(): void {
    this.goneNextWatch = true;
  }

  /** Forgets old versions as etcd compaction does: older continue tokens, exact lists and watches get 410. */
  compact(): void {
    this.store.compact();
  }

  /** The current resourceVersion (etcd revision). */
  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  simulatePlank(sim: PlankSimulation | false): void {
    this.plank = sim;
  }

  list(resource: Resource, namespace?: string): KubeObj[] {
    return this.store.listAt(resource, namespace);
  }

  /** How many TCP connections clients have opened so far. */
  get connections(): number {
    return this.connectionCount;
  }

  /** Every request so far: method, path, query string (with its `?`, or empty) and the status answered. */
  requests(): Array<{ method: string; path: string; query: string; status: number }> {
    return [...this.log];
  }

  /** For testing: the clock that stamps creationTimestamp (and the simulated plank's times). */
  setClock(now: () => Date): void {
    this.now = now;
  }

  /**
   * Changes an object as a controller would (e.g. plank updating a ProwJob's status), notifying watchers; throws
   * what the API server would refuse.
   */
  update(resource: Resource, namespace: string, name: string, patch: Record<string, unknown>): KubeObj {
    const current = this.store.get(resource, namespace, name);
    if (!current) throw new Error(`${resource}/${namespace}/${name} not found`);
    const next = mergePatch(current, patch) as KubeObj;
    const invalid = validate(resource, next);
    if (invalid) throw new Error(invalid);
    return this.store.write(resource, next, 'MODIFIED');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const send = (code: number, payload: unknown): void => {
      this.log.push({ method: req.method ?? '', path: url.pathname, query: url.search, status: code });
      if (res.destroyed) return;
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (this.down) {
      req.socket.destroy();
      return;
    }
    if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) return send(200, 'ok');
    if (url.pathname === '/version') return send(200, { major: '1', minor: '37', gitVersion: 'v1.37.0-fake' });
    const match = ROUTE.exec(url.pathname);
    if (!match) return send(404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
    const [, namespace, resource, name] = match as unknown as [string, string, Resource, string | undefined];
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb = verbOf(req.method ?? 'GET', name, watch);
    const refusal = this.refusal(verb, resource, name, namespace);
    if (refusal) return send(refusal.code as number, refusal);
    try {
      if (verb === 'watch') return this.watch(resource, namespace, url, res);
      const [code, payload] = this.serve({ verb, resource, namespace, name, body, url, contentType: req.headers['content-type'] });
      send(code, payload);
    } catch (err) {
      send(400, status(400, 'BadRequest', (err as Error).message));
    }
  }

  private watch(resource: Resource, namespace: string, url: URL, res: http.ServerResponse): void {
    this.log.push({ method: 'GET', path: `${url.pathname}?watch`, query: url.search, status: 200 });
    const gone = this.goneNextWatch;
    this.goneNextWatch = false;
    const open = startWatch(this.store, resource, namespace, url, res, { gone });
    if (!open) return;
    this.watchers.add(open);
    res.on('close', () => this.watchers.delete(open));
  }

  private refusal(verb: string, resource: string, name: string | undefined, namespace: string): Record<string, unknown> | undefined {
    if (this.forbidden.has(resource)) {
      const verbs = this.forbidden.get(resource);
      if (!verbs || verbs.includes(verb)) {
        return status(403, 'Forbidden', `${resource} is forbidden: User "system:serviceaccount:test:fake" cannot ${verb} resource "${resource}" in the namespace "${namespace}"`);
      }
    }
    const rule = this.failRules.find((r) => (!r.verb || r.verb === verb) && (!r.resource || r.resource === resource) && (!r.name || r.name === name));
    if (!rule) return undefined;
    if (--rule.times <= 0) this.failRules.splice(this.failRules.indexOf(rule), 1);
    return status(rule.status, rule.reason, `injected failure: ${rule.reason}`);
  }

  private serve(r: { verb: string; resource: Resource; namespace: string; name?: string; body: string; url: URL; contentType?: string }): [number, unknown] {
    switch (r.verb) {
      case 'get': {
        const obj = this.store.get(r.resource, r.namespace, r.name!);
        return obj ? [200, obj] : [404, notFound(r.resource, r.name)];
      }
      case 'list':
        return listPage(this.store, r.resource, r.namespace, r.url.searchParams);
      case 'create':
        return this.create(r.resource, r.namespace, JSON.parse(r.body) as KubeObj);
      case 'update':
        return this.replace(r.resource, r.namespace, r.name!, JSON.parse(r.body) as KubeObj);
      case 'patch':
        return this.patch(r.resource, r.namespace, r.name!, r.body, r.contentType);
      case 'delete': {
        const obj = this.store.remove(r.resource, r.namespace, r.name!);
        return obj ? [200, obj] : [404, notFound(r.resource, r.name)];
      }
      default:
        return [405, status(405, 'MethodNotAllowed', `${r.verb} is not supported`)];
    }
  }

  private create(resource: Resource, namespace: string, obj: KubeObj): [number, unknown] {
    obj.metadata ??= {};
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomUUID().slice(0, 5)}`;
    const invalid = validate(resource, obj);
    if (invalid) return [422, status(422, 'Invalid', invalid)];
    if (this.store.get(resource, namespace, obj.metadata.name)) return [409, alreadyExists(resource, obj.metadata.name)];
    obj.metadata = { ...obj.metadata, namespace, uid: randomUUID(), creationTimestamp: stamp(this.now()) };
    delete obj.metadata.resourceVersion;
    const stored = this.store.write(resource, obj, 'ADDED');
    if (resource === 'prowjobs' && this.plank) this.schedulePlank(namespace, obj.metadata.name as string, this.plank);
    return [201, stored];
  }

  private replace(resource: Resource, namespace: string, name: string, obj: KubeObj): [number, unknown] {
    const current = this.store.get(resource, namespace, name);
    if (!current) return [404, notFound(resource, name)];
    const offered = obj.metadata?.resourceVersion;
    if (offered && offered !== current.metadata.resourceVersion) return [409, conflict(resource, name)];
    return this.storeChanged(resource, current, obj);
  }

  /** Merge or JSON patch; a resourceVersion the patched object carries must still be current (else 409). */
  private patch(resource: Resource, namespace: string, name: string, body: string, contentType = ''): [number, unknown] {
    const current = this.store.get(resource, namespace, name);
    if (!current) return [404, notFound(resource, name)];
    const type = contentType.split(';')[0].trim();
    const merge = type === 'application/merge-patch+json' || (type === 'application/strategic-merge-patch+json' && resource === 'configmaps');
    if (!merge && type !== 'application/json-patch+json') {
      return [415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES}`)];
    }
    let next: KubeObj;
    try {
      const doc: unknown = JSON.parse(body);
      next = (merge ? mergePatch(current, doc) : jsonPatch(current, doc)) as KubeObj;
    } catch (err) {
      if (err instanceof PatchApplyError) return [422, status(422, 'Invalid', err.message)];
      if (err instanceof MalformedPatchError || err instanceof SyntaxError) return [400, status(400, 'BadRequest', err.message)];
      throw err;
    }
    const offered = next.metadata?.resourceVersion;
    if (offered && offered !== current.metadata.resourceVersion) return [409, conflict(resource, name)];
    return this.storeChanged(resource, current, next);
  }

  private storeChanged(resource: Resource, current: KubeObj, next: KubeObj): [number, unknown] {
    const invalid = validate(resource, next);
    if (invalid) return [422, status(422, 'Invalid', invalid)];
    const { namespace, name, uid, creationTimestamp } = current.metadata;
    next.metadata = { ...next.metadata, namespace, name, uid, creationTimestamp };
    return [200, this.store.write(resource, next, 'MODIFIED')];
  }

  /** Like plank: an aborted ProwJob gets its pod deleted and its completion time set. */
  private completeAborted(pj: KubeObj): void {
    const sim = this.plank;
    if (!sim || pj.kind !== 'ProwJob' || pj.status?.state !== 'aborted' || pj.status?.completionTime) return;
    setTimeout(() => {
      const now = this.store.get('prowjobs', pj.metadata.namespace, pj.metadata.name);
      if (now?.status?.state === 'aborted' && !now.status.completionTime) {
        this.update('prowjobs', pj.metadata.namespace, pj.metadata.name, { status: { completionTime: stamp(this.now()) } });
      }
    }, sim.delayMs);
  }

  private schedulePlank(namespace: string, name: string, sim: PlankSimulation): void {
    setTimeout(() => {
      const pj = this.store.get('prowjobs', namespace, name);
      if (!pj || pj.status?.build_id || pj.status?.state !== 'triggered') return;
      const buildId = sim.buildId?.() ?? String(1_900_000_000_000_000_000n + BigInt(++this.buildCounter));
      const url = `${sim.urlPrefix ?? 'https://prow.example.com/view/gs/bucket/logs/'}${pj.spec?.job}/${buildId}`;
      this.update('prowjobs', namespace, name, {
        status: { state: 'pending', build_id: buildId, pod_name: name, url, pendingTime: stamp(this.now()) },
      });
    }, sim.delayMs);
  }
}

/** Kubernetes `metav1.Time`: RFC 3339 with second precision. */
function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
