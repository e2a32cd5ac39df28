import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { matchesFieldSelector, matchesLabelSelector, mergePatch, status } from './selectors';

type Resource = 'configmaps' | 'prowjobs' | 'leases';
type KubeObj = { apiVersion?: string; kind?: string; metadata: Record<string, any>; [k: string]: any };
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Watcher {
  resource: Resource;
  namespace: string;
  labelSelector: string | null;
  fieldSelector: string | null;
  res: http.ServerResponse;
}

interface FailRule {
  verb?: string;
  resource?: string;
  name?: string;
  status: number;
  reason: string;
  times: number;
}

const ROUTE = /^\/(?:api\/v1|apis\/prow\.k8s\.io\/v1|apis\/coordination\.k8s\.io\/v1)\/namespaces\/([^/]+)\/(configmaps|prowjobs|leases)(?:\/([^/]+))?$/;
const MAX_OBJECT_BYTES = 1_572_864; // etcd's default request limit, as a real API server enforces it
const MAX_CONFIGMAP_DATA_BYTES = 1_048_576;

export interface PlankSimulation {
  delayMs: number;
  buildId?: () => string;
  urlPrefix?: string;
}

/**
 * An in-process fake kube-apiserver over real HTTP, good enough for the real `@kubernetes/client-node`: ConfigMaps,
 * Leases and ProwJobs with resourceVersion-guarded updates, list/watch with selectors, Kubernetes `Status` errors, and
 * knobs to inject latency, failures, an outage, closed or expired watches, and a plank that assigns build ids.
 */
export class FakeKubeApi {
  readonly url: string;
  readonly kubeconfigPath: string;
  private readonly objects = new Map<string, KubeObj>();
  private readonly history: Array<{ rv: number; type: EventType; resource: Resource; object: KubeObj }> = [];
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly failRules: FailRule[] = [];
  private readonly forbidden = new Map<string, string[] | undefined>();
  private readonly log: Array<{ method: string; path: string; status: number }> = [];
  private rv = 100;
  private latencyMs = 0;
  private down = false;
  private goneNextWatch = false;
  private plank: PlankSimulation | false = false;
  private buildCounter = 0;

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
      api.sockets.add(s);
      s.on('close', () => api.sockets.delete(s));
      if (api.down) s.destroy();
    });
    server.on('request', (req, res) => void api.handle(req, res));
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
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  failNextWatchWithGone(): void {
    this.goneNextWatch = true;
  }

  simulatePlank(sim: PlankSimulation | false): void {
    this.plank = sim;
  }

  list(resource: Resource, namespace?: string): KubeObj[] {
    return [...this.objects.values()].filter((o) => o.__resource === resource && (!namespace || o.metadata.namespace === namespace)).map(strip);
  }

  requests(): Array<{ method: string; path: string; status: number }> {
    return [...this.log];
  }

  /** Changes an object as a controller would (e.g. plank updating a ProwJob's status), notifying watchers. */
  update(resource: Resource, namespace: string, name: string, patch: Record<string, unknown>): KubeObj {
    const key = `${resource}/${namespace}/${name}`;
    const current = this.objects.get(key);
    if (!current) throw new Error(`${key} not found`);
    const next = mergePatch(current, patch) as KubeObj;
    return this.store(resource, next, 'MODIFIED');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const send = (code: number, payload: unknown): void => {
      this.log.push({ method: req.method ?? '', path: url.pathname, status: code });
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
      if (verb === 'watch') return this.startWatch(resource, namespace, url, res);
      const [code, payload] = this.serve(verb, resource, namespace, name, body, url);
      send(code, payload);
    } catch (err) {
      send(400, status(400, 'BadRequest', (err as Error).message));
    }
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

  private serve(verb: string, resource: Resource, namespace: string, name: string | undefined, body: string, url: URL): [number, unknown] {
    const key = `${resource}/${namespace}/${name}`;
    switch (verb) {
      case 'get': {
        const obj = this.objects.get(key);
        return obj ? [200, strip(obj)] : [404, notFound(resource, name)];
      }
      case 'list': {
        const items = this.list(resource, namespace).filter((o) => matchesLabelSelector(o, url.searchParams.get('labelSelector')) && matchesFieldSelector(o, url.searchParams.get('fieldSelector')));
        return [200, { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items }];
      }
      case 'create':
        return this.create(resource, namespace, JSON.parse(body) as KubeObj);
      case 'update':
        return this.replace(resource, namespace, name!, JSON.parse(body) as KubeObj);
      case 'patch': {
        const obj = this.objects.get(key);
        if (!obj) return [404, notFound(resource, name)];
        return [200, strip(this.store(resource, mergePatch(obj, JSON.parse(body)) as KubeObj, 'MODIFIED'))];
      }
      case 'delete': {
        const obj = this.objects.get(key);
        if (!obj) return [404, notFound(resource, name)];
        this.objects.delete(key);
        this.rv++;
        this.emit('DELETED', resource, { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
        return [200, strip(obj)];
      }
      default:
        return [405, status(405, 'MethodNotAllowed', `${verb} is not supported`)];
    }
  }

  private create(resource: Resource, namespace: string, obj: KubeObj): [number, unknown] {
    obj.metadata ??= {};
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomUUID().slice(0, 5)}`;
    const invalid = validate(resource, obj);
    if (invalid) return [422, status(422, 'Invalid', invalid)];
    const key = `${resource}/${namespace}/${obj.metadata.name}`;
    if (this.objects.has(key)) return [409, status(409, 'AlreadyExists', `${resource}.${group(resource)} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: resource })];
    obj.metadata = { ...obj.metadata, namespace, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    const stored = this.store(resource, obj, 'ADDED');
    if (resource === 'prowjobs' && this.plank) this.schedulePlank(namespace, obj.metadata.name as string, this.plank);
    return [201, strip(stored)];
  }

  private replace(resource: Resource, namespace: string, name: string, obj: KubeObj): [number, unknown] {
    const key = `${resource}/${namespace}/${name}`;
    const current = this.objects.get(key);
    if (!current) return [404, notFound(resource, name)];
    const offered = obj.metadata?.resourceVersion;
    if (offered && offered !== current.metadata.resourceVersion) {
      return [409, status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`)];
    }
    const invalid = validate(resource, obj);
    if (invalid) return [422, status(422, 'Invalid', invalid)];
    obj.metadata = { ...obj.metadata, namespace, name, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
    return [200, strip(this.store(resource, obj, 'MODIFIED'))];
  }

  private store(resource: Resource, obj: KubeObj, type: EventType): KubeObj {
    this.rv++;
    const stored = { ...structuredClone(obj), __resource: resource } as KubeObj;
    stored.metadata.resourceVersion = String(this.rv);
    this.objects.set(`${resource}/${stored.metadata.namespace}/${stored.metadata.name}`, stored);
    this.emit(type, resource, stored);
    return stored;
  }

  private emit(type: EventType, resource: Resource, obj: KubeObj): void {
    const object = strip(obj);
    this.history.push({ rv: this.rv, type, resource, object });
    if (this.history.length > 1000) this.history.shift();
    for (const w of this.watchers) {
      if (w.resource === resource && w.namespace === object.metadata.namespace && matchesLabelSelector(object, w.labelSelector) && matchesFieldSelector(object, w.fieldSelector)) {
        w.res.write(JSON.stringify({ type, object }) + '\n');
      }
    }
  }

  private startWatch(resource: Resource, namespace: string, url: URL, res: http.ServerResponse): void {
    this.log.push({ method: 'GET', path: `${url.pathname}?watch`, status: 200 });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const w: Watcher = { resource, namespace, labelSelector: url.searchParams.get('labelSelector'), fieldSelector: url.searchParams.get('fieldSelector'), res };
    const from = url.searchParams.get('resourceVersion');
    const oldest = this.history[0]?.rv ?? this.rv;
    if (this.goneNextWatch || (from && from !== '0' && Number(from) < oldest - 1)) {
      this.goneNextWatch = false;
      res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${oldest})`) }) + '\n');
      return;
    }
    const matches = (o: KubeObj): boolean => o.metadata.namespace === namespace && matchesLabelSelector(o, w.labelSelector) && matchesFieldSelector(o, w.fieldSelector);
    if (!from || from === '0') {
      for (const o of this.list(resource, namespace)) if (matches(o)) res.write(JSON.stringify({ type: 'ADDED', object: o }) + '\n');
    } else {
      for (const e of this.history) if (e.rv > Number(from) && e.resource === resource && matches(e.object)) res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
    }
    this.watchers.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(w);
    });
  }

  private schedulePlank(namespace: string, name: string, sim: PlankSimulation): void {
    setTimeout(() => {
      const key = `prowjobs/${namespace}/${name}`;
      const pj = this.objects.get(key);
      if (!pj || pj.status?.build_id) return;
      const buildId = sim.buildId?.() ?? String(1_900_000_000_000_000_000n + BigInt(++this.buildCounter));
      const url = `${sim.urlPrefix ?? 'https://prow.example.com/view/gs/bucket/logs/'}${pj.spec?.job}/${buildId}`;
      this.update('prowjobs', namespace, name, {
        status: { state: 'pending', build_id: buildId, pod_name: name, url, pendingTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      });
    }, sim.delayMs);
  }
}

function verbOf(method: string, name: string | undefined, watch: boolean): string {
  if (method === 'GET') return watch ? 'watch' : name ? 'get' : 'list';
  return ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method] ?? method.toLowerCase();
}

function group(resource: Resource): string {
  return { prowjobs: 'prow.k8s.io', leases: 'coordination.k8s.io', configmaps: '' }[resource];
}

function notFound(resource: Resource, name?: string): Record<string, unknown> {
  return status(404, 'NotFound', `${resource}${group(resource) ? `.${group(resource)}` : ''} "${name}" not found`, { name, kind: resource });
}

function validate(resource: Resource, obj: KubeObj): string | undefined {
  if (JSON.stringify(obj).length > MAX_OBJECT_BYTES) return 'Request entity too large: limit is 3145728';
  if (resource === 'configmaps') {
    const size = Object.values(obj.data ?? {}).reduce((n: number, v) => n + String(v).length, 0);
    if (size > MAX_CONFIGMAP_DATA_BYTES) return `ConfigMap "${obj.metadata.name}" is invalid: []: Too long: must have at most ${MAX_CONFIGMAP_DATA_BYTES} bytes`;
    return undefined;
  }
  if (resource === 'leases') return undefined;
  const missing = [!obj.spec?.job && 'spec.job', !obj.spec?.type && 'spec.type', !obj.status?.state && 'status.state'].filter(Boolean);
  return missing.length ? `ProwJob.prow.k8s.io "${obj.metadata.name}" is invalid: ${missing.map((f) => `${f}: Required value`).join(', ')}` : undefined;
}

function strip(obj: KubeObj): KubeObj {
  const { __resource: _r, ...rest } = obj;
  return structuredClone(rest) as KubeObj;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function kubeconfigYaml(server: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: fake
  user:
    token: fake-token
contexts:
- name: default
  context:
    cluster: fake
    user: fake
current-context: default
`;
}
