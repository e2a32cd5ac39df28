// Reading YAML into Go types the way Prow does (sigs.k8s.io/yaml, then encoding/json): keys match fields
// exactly or else case-insensitively, unknown keys are dropped, YAML numbers and booleans become strings where
// the field is a string (only where sigs.k8s.io/yaml can see that it is), anything else of the wrong type is an
// error, and quantities and durations come out in the form Go writes them back.
import { canonicalGoDuration, canonicalQuantity, fieldFor, type GoStruct, type GoType } from '@ci-stack/prowjob-api';

/**
 * A YAML float that Go would print differently from the integer with the same value: an integral float of at
 * least 1e6 (`1e6`, `2000000.0`), which becomes "1e+06" where Prow reads a number into a string.
 */
export class YamlFloat {
  constructor(readonly value: number) {}
}

/** One value that does not fit its Go type; `path` leads to it from the decoded document. */
export interface DecodeProblem {
  path: Array<string | number>;
  message: string;
}

/** How to decode. */
export interface DecodeOptions {
  /** The type sigs.k8s.io/yaml sees at the top; the decoded type unless the caller knows better. */
  hint?: GoType;
}

/**
 * Decodes a parsed YAML value into Go type `type` and returns the value Go would hold, as plain data: structs as
 * objects with Go's JSON field names, absent fields for nil or zero, quantities and durations canonical.
 * Problems are added to `problems`; the value is still decoded as far as it goes, as Go does.
 */
export function decodeGo(value: unknown, type: GoType, problems: DecodeProblem[], opts: DecodeOptions = {}): unknown {
  return new Decoder(problems).decode(value, type, opts.hint ?? type, undefined);
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof YamlFloat);

/** What a problem message calls a JSON value's type. */
export function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v instanceof YamlFloat || typeof v === 'number') return 'number';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  bool: 'true or false',
  int32: 'an integer',
  int64: 'an integer',
  uint64: 'a non-negative integer',
  float64: 'a number',
  quantity: 'a quantity (like 500m or 1Gi)',
  duration: "a duration in Go's form (like 90s or 1h30m)",
  nsduration: "a duration in Go's form (like 90s or 1h30m)",
  intorstring: 'an integer or a string',
  time: 'a time (RFC 3339)',
  bytes: 'a base64 string',
  struct: 'a mapping',
  map: 'a mapping',
  slice: 'a list',
};

/** The path being decoded and the problems found, and what every decoder does with a scalar or a misfit. */
export class DecodeContext {
  protected readonly path: Array<string | number> = [];

  constructor(protected readonly problems: DecodeProblem[]) {}

  /** A scalar (after coercion) decoded into a scalar kind: its Go value, or `existing` and a problem. */
  protected scalar(v: unknown, kind: string, existing: unknown): unknown {
    if (v instanceof YamlFloat) v = v.value;
    if (typeof v === 'number' && !Number.isFinite(v)) return this.problem(`unsupported value ${String(v)}`, existing);
    const accepts = ACCEPTS[kind];
    if (accepts) return accepts(v) ? v : this.wrong(v, kind, existing);
    const out = CONVERTS[kind]?.(v);
    if (out !== undefined) return out;
    return typeof v === 'string' ? this.problem(`must be ${EXPECTED[kind]}, got ${JSON.stringify(v)}`, existing) : this.wrong(v, kind, existing);
  }

  /** A value of the wrong JSON type for `kind` (a scalar kind, or struct, map or slice). */
  protected wrong(v: unknown, kind: string, existing: unknown): unknown {
    return this.problem(`must be ${EXPECTED[kind]}, got ${jsonTypeName(v)}`, existing);
  }

  protected problem(message: string, existing: unknown): unknown {
    this.problems.push({ path: [...this.path], message });
    return existing;
  }
}

class Decoder extends DecodeContext {
  decode(raw: unknown, t: GoType, hint: GoType | undefined, existing: unknown): unknown {
    if (raw === null || raw === undefined) return decodeNull(t, existing);
    const v = coerce(raw, hint);
    switch (t.kind) {
      case 'ptr':
        return this.decode(v, t.elem, hint, existing);
      case 'struct':
        return isObject(v) ? this.struct(v, t, hint, existing) : this.wrong(v, 'struct', existing);
      case 'map':
        return isObject(v) ? this.map(v, t.elem, hint, existing) : this.wrong(v, 'map', existing);
      case 'slice':
        return Array.isArray(v) ? this.slice(v, t.elem, hint, existing) : this.wrong(v, 'slice', existing);
      case 'any':
        return this.plain(v);
      default:
        return this.scalar(v, t.kind, existing);
    }
  }

  private struct(v: Record<string, unknown>, t: GoStruct, hint: GoType | undefined, existing: unknown): Record<string, unknown> {
    const keys = Object.keys(v);
    const folded = hasFoldedKey(t, keys);
    const out: Record<string, unknown> = isObject(existing) ? existing : {};
    // Two keys for one field (`name` and `NAME`): Go sees the keys sorted, and the last one wins.
    if (folded && hasFoldedTwins(t, keys)) keys.sort();
    const target = hintTarget(hint);
    for (const key of keys) {
      const field = fieldFor(t, key);
      if (!field) continue;
      this.path.push(key);
      const value = this.decode(v[key], field.type, target === t ? field.hint : childHint(target, key), out[field.name]);
      this.path.pop();
      if (value === undefined) delete out[field.name];
      else out[field.name] = value;
    }
    return out;
  }

  private map(v: Record<string, unknown>, elem: GoType, hint: GoType | undefined, existing: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = isObject(existing) ? existing : {};
    const target = hintTarget(hint);
    for (const key of Object.keys(v)) {
      this.path.push(key);
      const value = this.decode(v[key], elem, childHint(target, key), undefined) ?? zeroOf(elem) ?? null;
      this.path.pop();
      setOwn(out, key, value);
    }
    return out;
  }

  private slice(v: unknown[], elem: GoType, hint: GoType | undefined, existing: unknown): unknown[] {
    const before = Array.isArray(existing) ? existing : [];
    const itemHint = itemHintOf(hint);
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      this.path.push(i);
      // Go decodes into the elements a slice already has (it only matters when two keys name one field).
      out[i] = this.decode(v[i], elem, itemHint, before[i]) ?? zeroOf(elem) ?? null;
      this.path.pop();
    }
    return out;
  }

  /** An untyped value as Go's `interface{}` holds it: a copy without YAML aliases shared between places. */
  private plain(v: unknown): unknown {
    if (v instanceof YamlFloat) return v.value;
    if (typeof v === 'number' && !Number.isFinite(v)) return this.problem(`unsupported value ${String(v)}`, undefined);
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = this.plain(v[i]);
      return out;
    }
    if (isObject(v)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) setOwn(out, key, this.plain(v[key]));
      return out;
    }
    return v;
  }
}

/** Kinds whose value Go keeps as read, when it has the right JSON type. */
const ACCEPTS: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  int32: (v) => isInt(v, 'int32'),
  int64: (v) => isInt(v, 'int64'),
  uint64: (v) => isInt(v, 'uint64'),
  float64: (v) => typeof v === 'number',
  intorstring: (v) => typeof v === 'string' || isInt(v, 'int32'),
};

/** Kinds with their own JSON form: the text Go writes back, or undefined when Go refuses the value. */
const CONVERTS: Record<string, (v: unknown) => string | undefined> = {
  quantity: (v) => (typeof v === 'string' || typeof v === 'number' ? canonicalQuantity(v) : undefined),
  duration: (v) => (typeof v === 'string' ? goDurationString(v) : undefined),
  nsduration: (v) => (typeof v === 'string' ? goDurationString(v) : isInt(v, 'int64') ? canonicalGoDuration(`${v}ns`) : undefined),
  time: (v) => (typeof v === 'string' ? rfc3339(v) : undefined),
  bytes: (v) => (typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0 ? v : undefined),
};

/** JSON null: nil for pointers, slices, maps and interfaces; anything else keeps its value. */
export function decodeNull(t: GoType, existing: unknown): unknown {
  return t.kind === 'ptr' || t.kind === 'slice' || t.kind === 'map' || t.kind === 'any' ? undefined : existing;
}

/** The zero value Go puts in a slice or map element that got null, or undefined for nil. */
export function zeroOf(t: GoType): unknown {
  switch (t.kind) {
    case 'struct':
      return {};
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
      return undefined;
  }
}

/** Some key names its field only case-insensitively (the only way two keys can name one field). */
function hasFoldedKey(t: GoStruct, keys: string[]): boolean {
  for (const key of keys) if (!t.exact.has(key) && fieldFor(t, key)) return true;
  return false;
}

function hasFoldedTwins(t: GoStruct, keys: string[]): boolean {
  const seen = new Set<string>();
  for (const key of keys) {
    const field = fieldFor(t, key);
    if (!field) continue;
    if (seen.has(field.name)) return true;
    seen.add(field.name);
  }
  return false;
}

/** Sets a key on a plain object, `__proto__` included. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** What sigs.k8s.io/yaml takes the target to be: pointers followed; types with their own JSON form give nothing. */
export function hintTarget(hint: GoType | undefined): GoType | undefined {
  let t = hint;
  while (t?.kind === 'ptr') t = t.elem;
  if (!t || (t.kind !== 'struct' && t.kind !== 'map' && t.kind !== 'slice' && t.kind !== 'string')) return undefined;
  return t;
}

/** The hint for the value under `key`, given the parent's resolved hint target. */
export function childHint(t: GoType | undefined, key: string): GoType | undefined {
  if (t?.kind === 'struct') return fieldFor(t, key)?.hint;
  return t?.kind === 'map' ? t.elem : undefined;
}

export function itemHintOf(hint: GoType | undefined): GoType | undefined {
  const t = hintTarget(hint);
  return t?.kind === 'slice' ? t.elem : undefined;
}

/** A YAML number or boolean where sigs.k8s.io/yaml sees a string field becomes the text Go prints for it. */
export function coerce(v: unknown, hint: GoType | undefined): unknown {
  if ((typeof v === 'object' && !(v instanceof YamlFloat)) || typeof v === 'string' || hintTarget(hint)?.kind !== 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof YamlFloat) return formatFloat32(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat32(v);
  return v;
}

/** Go's `strconv.FormatFloat(v, 'g', -1, 32)`: the shortest digits that give the same float32. */
export function formatFloat32(v: number): string {
  const f = Math.fround(v);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  const [mantissa, expText] = shortestFloat32(f).split('e');
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/[-.]/g, '');
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}

/** The float32 in exponent form with the fewest digits that still read back as the same float32. */
function shortestFloat32(f: number): string {
  for (let p = 0; p < 9; p++) {
    const candidate = f.toExponential(p);
    if (Math.fround(Number(candidate)) === f) return candidate;
  }
  return f.toExponential(8);
}

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};

/** An integer as encoding/json reads it into a Go integer of that kind (a JSON number without a fraction). */
function isInt(v: unknown, kind: string): v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) >= 1e21) return false;
  const [min, max] = INT_RANGE[kind];
  return v >= min && v <= max;
}

/** Go's `time.ParseDuration` then `Duration.String()` (Go also accepts a signed zero), or undefined. */
export function goDurationString(text: string): string | undefined {
  if (text === '+0' || text === '-0') return '0s';
  return canonicalGoDuration(text);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** metav1.Time: RFC 3339 in, UTC with second precision out. */
function rfc3339(text: string): string | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
