// The Go types Prow reads job config into and writes ProwJobs from, generated from Prow's own source by
// go-types/main.go (see go-types.json for the pinned versions). Fields carry their JSON names and options exactly
// as Go's encoding/json sees them, so reading and writing with them gives what Prow's Go code gives.
import generated from './go-types.json';

/** A Go type as far as its JSON form is concerned. */
export type GoType = GoScalar | GoPointer | GoSlice | GoMap | GoStruct;

/**
 * Scalars and the types with their own JSON form: `quantity` (resource.Quantity), `duration` (metav1.Duration,
 * a duration string), `nsduration` (Prow's Duration: a duration string or integer nanoseconds), `intorstring`,
 * `time` (metav1.Time), `bytes` ([]byte, base64) and `any` (kept as read).
 */
export interface GoScalar {
  kind: 'string' | 'bool' | 'int32' | 'int64' | 'uint64' | 'float64' | 'quantity' | 'duration' | 'nsduration' | 'intorstring' | 'time' | 'bytes' | 'any';
}
export interface GoPointer {
  kind: 'ptr';
  elem: GoType;
}
export interface GoSlice {
  kind: 'slice';
  elem: GoType;
}
export interface GoMap {
  kind: 'map';
  elem: GoType;
}
export interface GoField {
  /** The JSON key. */
  name: string;
  type: GoType;
  omitEmpty: boolean;
  /**
   * The type sigs.k8s.io/yaml looks at to decide whether a YAML number or boolean becomes a string: the field's
   * own type, or for a field promoted from an embedded struct, that struct (it follows only the first step).
   */
  hint: GoType;
}
export interface GoStruct {
  kind: 'struct';
  name: string;
  fields: GoField[];
  /** A JSON key that names a field exactly. */
  exact: Map<string, GoField>;
  /** Otherwise the first field (in Go's field order) whose name equals the key case-insensitively. */
  folded: Map<string, GoField>;
}

type Expr = string | { ptr?: Expr; slice?: Expr; map?: Expr };
type FieldEntry = [string, Expr, number, Expr?];

const scalars = new Map<string, GoScalar>();
const structs = new Map<string, GoStruct>();
const table = generated.types as unknown as Record<string, FieldEntry[]>;

function resolve(expr: Expr): GoType {
  if (typeof expr === 'string') {
    const known = structs.get(expr) ?? scalars.get(expr);
    if (known) return known;
    if (expr in table) return structType(expr);
    const scalar = { kind: expr } as GoScalar;
    scalars.set(expr, scalar);
    return scalar;
  }
  if (expr.ptr !== undefined) return { kind: 'ptr', elem: resolve(expr.ptr) };
  if (expr.slice !== undefined) return { kind: 'slice', elem: resolve(expr.slice) };
  return { kind: 'map', elem: resolve(expr.map as Expr) };
}

function structType(name: string): GoStruct {
  const struct: GoStruct = { kind: 'struct', name, fields: [], exact: new Map(), folded: new Map() };
  structs.set(name, struct);
  for (const [fieldName, expr, flags, hint] of table[name]) {
    const type = resolve(expr);
    const field: GoField = { name: fieldName, type, omitEmpty: (flags & 1) !== 0, hint: hint === undefined ? type : resolve(hint) };
    struct.fields.push(field);
    struct.exact.set(fieldName, field);
    const folded = foldKey(fieldName);
    if (!struct.folded.has(folded)) struct.folded.set(folded, field);
  }
  return struct;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Go's case folding of JSON keys: ASCII letters compare without case, and so do the two non-ASCII letters that
 * fold onto ASCII ones (ſ onto s, the Kelvin sign onto k). Every other character stays as it is.
 */
export function foldKey(key: string): string {
  if (isAscii(key)) return key.toUpperCase();
  let out = '';
  for (const ch of key) {
    if (ch === '\u017f') out += 'S';
    else if (ch === '\u212a') out += 'K';
    else out += ch.length === 1 && ch.charCodeAt(0) < 0x80 ? ch.toUpperCase() : ch;
  }
  return out;
}

/** The field a JSON key sets, as encoding/json picks it: an exact match first, then a case-insensitive one. */
export function fieldFor(struct: GoStruct, key: string): GoField | undefined {
  return struct.exact.get(key) ?? struct.folded.get(foldKey(key));
}

/** The Go types by role. */
export const GoTypes = {
  /** `config.JobConfig`: one job config file. */
  jobConfig: resolve(generated.roots.JobConfig) as GoStruct,
  /** `config.Config`: Prow's config.yaml (parts that do not affect ProwJobs are kept untyped). */
  config: resolve(generated.roots.Config) as GoStruct,
  /** `prowjobs/v1.ProwJob`. */
  prowJob: resolve(generated.roots.ProwJob) as GoStruct,
  /** Any named struct, e.g. `core/v1.PodSpec`, `prowjobs/v1.DecorationConfig`. */
  struct(name: string): GoStruct {
    const found = structs.get(name) ?? (name in table ? structType(name) : undefined);
    if (!found) throw new Error(`no Go struct ${name} in go-types.json`);
    return found;
  },
};

/** The module versions the types were generated from. */
export const GO_TYPES_VERSIONS: readonly string[] = generated.versions;
