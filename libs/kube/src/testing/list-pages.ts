/**
 * List semantics of the API server: items in key (name) order; `limit` pages with an opaque `continue` token that
 * pins the snapshot's resourceVersion; `resourceVersion` + `resourceVersionMatch`; a continue token from a
 * compacted snapshot is 410 Expired, a malformed one 400.
 */
import { matchesFieldSelector, status } from './selectors';
import { matchesRequirements, parseLabelSelector } from './label-selector';
import { ExpiredError, type KubeObj, type Resource, type VersionedStore } from './versioned-store';

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const LIST_KIND: Record<Resource, { apiVersion: string; kind: string }> = {
  prowjobs: { apiVersion: 'prow.k8s.io/v1', kind: 'ProwJobList' },
  configmaps: { apiVersion: 'v1', kind: 'ConfigMapList' },
  leases: { apiVersion: 'coordination.k8s.io/v1', kind: 'LeaseList' },
};

class BadRequest extends Error {}
/** A list option the API server's validation refuses (422 Invalid). */
class InvalidOption extends Error {}

export function listPage(store: VersionedStore, resource: Resource, namespace: string, params: URLSearchParams): [number, unknown] {
  try {
    const labelSelector = params.get('labelSelector');
    const fieldSelector = params.get('fieldSelector');
    const requirements = parseLabelSelector(labelSelector);
    const limit = parseLimit(params.get('limit'));
    const token = params.get('continue') ? decodeContinue(params.get('continue') as string) : undefined;
    if (token && params.get('resourceVersion') && params.get('resourceVersion') !== '0') throw new BadRequest('specifying resource version is not allowed when using continue');
    const rv = token ? (token.rv < 0 ? store.resourceVersion : token.rv) : snapshotVersion(store, params);
    const all = store.listAt(resource, namespace, rv);
    const startAt = token ? firstIndexAfter(all, token.start) : 0;
    const items: KubeObj[] = [];
    let i = startAt;
    for (; i < all.length && (limit === 0 || items.length < limit); i++) {
      if (matchesRequirements(all[i].metadata.labels, requirements) && matchesFieldSelector(all[i], fieldSelector)) items.push(all[i]);
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (limit > 0 && i < all.length) {
      metadata.continue = encodeContinue(rv, all[i - 1].metadata.name);
      if (!labelSelector && !fieldSelector) metadata.remainingItemCount = all.length - i;
    }
    return [200, { ...LIST_KIND[resource], metadata, items }];
  } catch (err) {
    if (err instanceof ExpiredError) {
      return params.get('continue') ? [410, status(410, 'Expired', CONTINUE_EXPIRED)] : [410, status(410, 'Expired', err.message)];
    }
    if (err instanceof InvalidOption) return [422, status(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${err.message}`)];
    return [400, status(400, 'BadRequest', (err as Error).message)];
  }
}

function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The resourceVersion a list without a continue token reads at. */
function snapshotVersion(store: VersionedStore, params: URLSearchParams): number {
  const raw = params.get('resourceVersion');
  const match = params.get('resourceVersionMatch');
  if (match && !raw) throw new InvalidOption('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match && !['Exact', 'NotOlderThan'].includes(match)) throw new InvalidOption(`resourceVersionMatch: Unsupported value: "${match}"`);
  if (!raw || raw === '0') return store.resourceVersion;
  const rv = Number(raw);
  if (!Number.isInteger(rv) || rv < 0) throw new BadRequest(`Invalid value: "${raw}": resource version must be a non-negative integer`);
  return match === 'Exact' ? rv : Math.max(rv, store.resourceVersion);
}

export function encodeContinue(rv: number, lastName: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastName}\u0000` })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  let token: ContinueToken;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('illegal base64 data');
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
  } catch (err) {
    throw new BadRequest(`invalid continue token: continue key is not valid: ${(err as Error).message}`);
  }
  if (token?.v !== 'meta.k8s.io/v1') throw new BadRequest(`invalid continue token: continue key is not valid: server does not recognize this encoded version ${token?.v}`);
  if (!Number.isInteger(token.rv) || token.rv === 0) throw new BadRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof token.start !== 'string' || token.start === '') throw new BadRequest('invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  return token;
}

function firstIndexAfter(items: KubeObj[], start: string): number {
  const i = items.findIndex((o) => (o.metadata.name as string) >= start);
  return i < 0 ? items.length : i;
}
