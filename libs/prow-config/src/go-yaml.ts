// Plain YAML scalars resolved as Prow's YAML reader (go-yaml v2, a YAML 1.1 dialect) resolves them.
import { YamlFloat, formatFloat32 } from './go-decode';
import { CORE_SCHEMA, NOT_RESOLVED, defineMappingTag, defineScalarTag, mergeTag } from 'js-yaml';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity, '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity,
};
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Go's strconv.ParseInt(s, 0, 64), falling back to ParseUint, on the text without underscores. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MIN = -(2n ** 63n);

function goInt(plain: string): number | undefined {
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const [, sign, hex, octal, binary, leadingZero, decimal] = m;
  let magnitude: bigint;
  if (hex !== undefined) magnitude = BigInt(`0x${hex}`);
  else if (octal !== undefined) magnitude = BigInt(`0o${octal}`);
  else if (binary !== undefined) magnitude = BigInt(`0b${binary}`);
  else if (leadingZero !== undefined) magnitude = leadingZero.length > 1 ? BigInt(`0o${leadingZero.slice(1)}`) : 0n;
  else magnitude = BigInt(decimal);
  const value = sign === '-' ? -magnitude : magnitude;
  // Beyond int64 only a positive number without a sign still parses (as uint64).
  if (value < INT64_MIN || value > UINT64_MAX || (value >= 2n ** 63n && sign !== '')) return undefined;
  return Number(value);
}

const goNull = defineScalarTag<null>('tag:yaml.org,2002:null', {
  implicit: true,
  implicitFirstChars: ['', '~', 'n', 'N'],
  identify: (v) => v === null,
  resolve: (source) => (NULLS.has(source) ? null : NOT_RESOLVED),
});

const goBool = defineScalarTag<boolean>('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O'],
  identify: (v) => typeof v === 'boolean',
  resolve: (source) => (TRUES.has(source) ? true : FALSES.has(source) ? false : NOT_RESOLVED),
});

/** Whether go-yaml could read the text as a number at all: a digit first, or a sign or dot and then a digit. */
function mayBeNumber(source: string): boolean {
  const first = source.charCodeAt(0);
  if (first >= 48 && first <= 57) return true;
  const second = source.charCodeAt(1);
  return (second >= 48 && second <= 57) || (second === 46 && source.length > 2);
}

const withoutUnderscores = (source: string): string => (source.includes('_') ? source.replace(/_/g, '') : source);

function resolveInt(source: string): number | typeof NOT_RESOLVED {
  return mayBeNumber(source) ? (goInt(withoutUnderscores(source)) ?? NOT_RESOLVED) : NOT_RESOLVED;
}

/**
 * A float; an integral one of at least 1e6 keeps being a float (YamlFloat), since Go prints it as 1e+06 where it
 * reads a YAML number into a string.
 */
function resolveFloat(source: string): number | YamlFloat | typeof NOT_RESOLVED {
  if (Object.hasOwn(SPECIAL_FLOATS, source)) return SPECIAL_FLOATS[source];
  if (!mayBeNumber(source)) return NOT_RESOLVED;
  let text = source;
  if (source.startsWith('.')) {
    if (!DOT_FLOAT.test(source)) return NOT_RESOLVED;
  } else {
    text = withoutUnderscores(source);
    if (goInt(text) !== undefined || !GO_FLOAT.test(text)) return NOT_RESOLVED;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return NOT_RESOLVED;
  return Number.isInteger(value) && Math.abs(value) >= 1e6 ? new YamlFloat(value) : value;
}

/** What go-yaml makes of a plain (unquoted) scalar: null, a boolean, an integer, a float, or the text. */
export function resolvePlainScalar(text: string): unknown {
  if (NULLS.has(text)) return null;
  if (TRUES.has(text)) return true;
  if (FALSES.has(text)) return false;
  const first = text.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46) {
    const int = first === 46 ? NOT_RESOLVED : resolveInt(text);
    if (int !== NOT_RESOLVED) return int;
    const float = resolveFloat(text);
    if (float !== NOT_RESOLVED) return float;
  }
  return text;
}

const goIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: [...DIGITS, '-', '+'],
  identify: (v) => Number.isInteger(v),
  resolve: resolveInt,
});

const goFloatTag = defineScalarTag<number | YamlFloat>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: [...DIGITS, '-', '+', '.'],
  identify: (v) => typeof v === 'number' || v instanceof YamlFloat,
  resolve: resolveFloat,
});

/** A mapping key as sigs.k8s.io/yaml turns it into a JSON key; floats are printed as float32. */
function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (key instanceof YamlFloat || (typeof key === 'number' && !Number.isInteger(key))) return formatFloat32(key instanceof YamlFloat ? key.value : key);
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  return undefined;
}

// js-yaml asks a mapping whether it has a key only while merging (`<<`): go-yaml lets merged values override
// the keys before them, and within one merge sequence the earlier mappings win. This is the mapping being
// merged into and the keys the current merge has set.
let mergeTarget: Record<string, unknown> | undefined;
let mergePending: string | undefined;
const mergedKeys = new Set<string>();

function setPair(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  else target[key] = value;
}

const goMapTag = defineMappingTag<Record<string, unknown>>('tag:yaml.org,2002:map', {
  create: () => ({}),
  identify: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  addPair: (target, key, value) => {
    if (typeof key === 'string' && target !== mergeTarget && key !== '__proto__') {
      target[key] = value;
      return '';
    }
    const text = keyText(key);
    if (text === undefined) return `unsupported map key ${key === null ? 'null' : typeof key}`;
    if (target === mergeTarget) {
      if (text === mergePending) mergedKeys.add(text);
      else mergeTarget = undefined;
      mergePending = undefined;
    }
    setPair(target, text, value);
    return '';
  },
  has: (target, key) => {
    const text = keyText(key) ?? '';
    if (target !== mergeTarget) {
      mergeTarget = target;
      mergedKeys.clear();
    }
    mergePending = text;
    return mergedKeys.has(text);
  },
  keys: (target) => Object.keys(target),
  get: (target, key) => (Object.prototype.hasOwnProperty.call(target, keyText(key) ?? '') ? target[keyText(key) ?? ''] : null),
});

/**
 * go-yaml v2's implicit types: YAML 1.1 booleans (yes/no/on/off/y/n), Go's integer syntax (0755 is octal),
 * merge keys applied where they stand. Load with `json: true`: a key given twice keeps its last value.
 */
export const GO_YAML_SCHEMA = CORE_SCHEMA.withTags(mergeTag, goMapTag, goNull, goBool, goIntTag, goFloatTag);
