// Writing a Go value as Go's encoding/json does: fields in Go's order, `omitempty` fields left out when empty,
// every other field written even when unset (a struct is never empty: an unset resource.Quantity is "0", an
// unset ResourceRequirements is {}), nil written as null. Nulls are dropped, as the Kubernetes API server does.
import type { GoStruct, GoType } from './go-types';

/** The JSON Go writes for `value` (a decoded Go value, see decodeGo) of type `type`; null stands for Go's null. */
export function encodeGo(value: unknown, type: GoType): unknown {
  if (value === undefined || value === null) return zeroJson(type);
  switch (type.kind) {
    case 'ptr':
      return encodeGo(value, type.elem);
    case 'struct':
      return encodeStruct(value as Record<string, unknown>, type);
    case 'slice':
      return (value as unknown[]).map((item) => encodeGo(item, type.elem));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value as object)) setOwn(out, key, encodeGo((value as Record<string, unknown>)[key], type.elem));
      return out;
    }
    case 'any':
      return copyPlain(value);
    default:
      return value;
  }
}

function encodeStruct(value: Record<string, unknown>, type: GoStruct): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fields) {
    const v = value[field.name];
    if (field.omitEmpty && isEmpty(v, field.type)) continue;
    const json = encodeGo(v, field.type);
    if (json !== null) out[field.name] = json;
  }
  return out;
}

const STRUCT_KINDS = new Set(['struct', 'quantity', 'duration', 'nsduration', 'intorstring', 'time']);
const IS_EMPTY: Record<string, (v: unknown) => boolean> = {
  slice: (v) => (v as unknown[]).length === 0,
  map: (v) => Object.keys(v as object).length === 0,
  string: (v) => v === '',
  bytes: (v) => v === '',
  bool: (v) => v === false,
  int32: (v) => v === 0,
  int64: (v) => v === 0,
  uint64: (v) => v === 0,
  float64: (v) => v === 0,
};

/** Go's `omitempty` test: false, 0, "", nil, and empty slices and maps; a struct is never empty. */
function isEmpty(v: unknown, type: GoType): boolean {
  if (STRUCT_KINDS.has(type.kind)) return false;
  if (v === undefined || v === null) return true;
  return IS_EMPTY[type.kind]?.(v) ?? false;
}

/** What Go writes for an unset value of this type. */
function zeroJson(type: GoType): unknown {
  switch (type.kind) {
    case 'struct':
      return encodeStruct({}, type);
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'uint64':
    case 'float64':
    case 'intorstring':
      return 0;
    case 'quantity':
      return '0';
    case 'duration':
    case 'nsduration':
      return '0s';
    default:
      return null;
  }
}

function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) setOwn(out, key, copyPlain((v as Record<string, unknown>)[key]));
    return out;
  }
  return v;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
