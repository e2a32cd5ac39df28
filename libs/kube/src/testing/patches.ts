/** The patch formats a real API server accepts for custom resources, applied as it applies them. */

/** A patch document that is not well formed (the API server answers 400). */
export class MalformedPatchError extends Error {}
/** A well-formed JSON patch that cannot be applied to this object, e.g. a failed `test` (the API server answers 422). */
export class PatchApplyError extends Error {}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}
type Container = Record<string, unknown> | unknown[];

/** RFC 6902 JSON patch, all operations or none (the input is not modified). */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new MalformedPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const raw of operations) {
    const op = raw as Operation;
    if (typeof op?.path !== 'string' || !['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op)) {
      throw new MalformedPatchError(`invalid JSON patch operation ${JSON.stringify(raw)}`);
    }
    doc = applyOne(doc, op);
  }
  return doc;
}

function applyOne(doc: unknown, op: Operation): unknown {
  switch (op.op) {
    case 'add':
      return put(doc, op.path, structuredClone(op.value), 'add');
    case 'replace':
      return put(doc, op.path, structuredClone(op.value), 'replace');
    case 'remove':
      take(doc, op.path);
      return doc;
    case 'move': {
      const value = take(doc, requireFrom(op));
      return put(doc, op.path, value, 'add');
    }
    case 'copy':
      return put(doc, op.path, structuredClone(resolve(doc, requireFrom(op))), 'add');
    default:
      if (JSON.stringify(resolve(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchApplyError(`testing value ${op.path} failed: test failed`);
      return doc;
  }
}

function requireFrom(op: Operation): string {
  if (typeof op.from !== 'string') throw new MalformedPatchError(`operation ${op.op} needs 'from'`);
  return op.from;
}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new MalformedPatchError(`JSON pointer must start with '/': ${path}`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(doc: unknown, path: string): unknown {
  let node = doc;
  for (const t of tokens(path)) {
    const next = child(node, t);
    if (next === undefined) throw new PatchApplyError(`path ${path} does not exist`);
    node = next;
  }
  return node;
}

function child(node: unknown, token: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(token) ? node[Number(token)] : undefined;
  if (typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, token)) return (node as Record<string, unknown>)[token];
  return undefined;
}

function parentOf(doc: unknown, path: string): { parent: Container; key: string } {
  const parts = tokens(path);
  const key = parts.pop() as string;
  const parent = resolve(doc, parts.length ? `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '');
  if (typeof parent !== 'object' || parent === null) throw new PatchApplyError(`path ${path}: parent is not an object or list`);
  return { parent: parent as Container, key };
}

function put(doc: unknown, path: string, value: unknown, mode: 'add' | 'replace'): unknown {
  if (path === '') return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    const max = mode === 'add' ? parent.length : parent.length - 1;
    if (!/^\d+$|^-$/.test(key) || index > max) throw new PatchApplyError(`path ${path}: index out of range`);
    parent.splice(index, mode === 'add' ? 0 : 1, value);
  } else {
    if (mode === 'replace' && !Object.prototype.hasOwnProperty.call(parent, key)) throw new PatchApplyError(`replace operation does not apply: doc is missing key: ${path}`);
    parent[key] = value;
  }
  return doc;
}

function take(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, path);
  const value = child(parent, key);
  if (value === undefined) throw new PatchApplyError(`remove operation does not apply: doc is missing path: ${path}`);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}
