import { isDeepStrictEqual } from 'node:util';

/**
 * Drops what Go's encoder writes for unset struct fields (`resources: {}`, `creationTimestamp: null`), which
 * Kubernetes reads as absent. Empty strings stay: the CRD schema tells `name: ""` from a missing name.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = canonical(v);
      if (c === null || c === undefined) continue;
      if (typeof c === 'object' && !Array.isArray(c) && Object.keys(c as object).length === 0) continue;
      out[k] = c;
    }
    return out;
  }
  return value;
}

/** Every path where the two differ, as `path: ours=… prow=…`. */
export function fieldDiff(ours: unknown, theirs: unknown, path = ''): string[] {
  if (isDeepStrictEqual(ours, theirs)) return [];
  const bothObjects = ours && theirs && typeof ours === 'object' && typeof theirs === 'object' && Array.isArray(ours) === Array.isArray(theirs);
  if (!bothObjects) return [`${path || '(root)'}: ours=${JSON.stringify(ours)} prow=${JSON.stringify(theirs)}`];
  const keys = new Set([...Object.keys(ours as object), ...Object.keys(theirs as object)]);
  return [...keys].sort().flatMap((k) => fieldDiff((ours as Record<string, unknown>)[k], (theirs as Record<string, unknown>)[k], Array.isArray(ours) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
}
