/** What the fake API server says about objects: validation, the `Status` bodies of its errors, small helpers. */
import type http from 'node:http';
import { status } from './selectors';
import type { KubeObj, Resource } from './versioned-store';

const MAX_OBJECT_BYTES = 1_572_864; // etcd's default request limit, as a real API server enforces it
const MAX_CONFIGMAP_DATA_BYTES = 1_048_576;

export function group(resource: Resource): string {
  return { prowjobs: 'prow.k8s.io', leases: 'coordination.k8s.io', configmaps: '' }[resource];
}

function qualified(resource: Resource): string {
  return group(resource) ? `${resource}.${group(resource)}` : resource;
}

export function notFound(resource: Resource, name?: string): Record<string, unknown> {
  return status(404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, kind: resource });
}

export function conflict(resource: Resource, name: string): Record<string, unknown> {
  return status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource });
}

export function alreadyExists(resource: Resource, name: string): Record<string, unknown> {
  return status(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, { name, kind: resource });
}

/** The API server's admission checks we rely on: size limits and the ProwJob CRD's required fields. */
export function validate(resource: Resource, obj: KubeObj): string | undefined {
  if (JSON.stringify(obj).length > MAX_OBJECT_BYTES) return 'Request entity too large: limit is 3145728';
  if (resource === 'configmaps') {
    const size = Object.values(obj.data ?? {}).reduce((n: number, v) => n + String(v).length, 0);
    if (size > MAX_CONFIGMAP_DATA_BYTES) return `ConfigMap "${obj.metadata.name}" is invalid: []: Too long: must have at most ${MAX_CONFIGMAP_DATA_BYTES} bytes`;
    return undefined;
  }
  if (resource === 'leases') return undefined;
  const unnamed = (obj.spec?.pod_spec?.containers ?? []).map((c: { name?: string }, i: number) => (typeof c?.name === 'string' ? undefined : `spec.pod_spec.containers[${i}].name`));
  const missing = [!obj.spec?.job && 'spec.job', !obj.spec?.type && 'spec.type', !obj.status?.state && 'status.state', ...unnamed].filter(Boolean);
  if (missing.length) return `ProwJob.prow.k8s.io "${obj.metadata.name}" is invalid: ${missing.map((f) => `${f}: Required value`).join(', ')}`;
  // The CRD's schema: a final state other than aborted needs a completion time.
  if (['success', 'failure', 'error'].includes(obj.status.state) && !obj.status.completionTime) {
    return `ProwJob.prow.k8s.io "${obj.metadata.name}" is invalid: [<nil>: Invalid value: "": "status" must validate at least one schema (anyOf), <nil>: Invalid value: "": "status" must not validate the schema (not)]`;
  }
  return undefined;
}

export function verbOf(method: string, name: string | undefined, watch: boolean): string {
  if (method === 'GET') return watch ? 'watch' : name ? 'get' : 'list';
  return ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method] ?? method.toLowerCase();
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

export function kubeconfigYaml(server: string): string {
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
