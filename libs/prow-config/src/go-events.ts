// Decoding into Prow's Go types straight from the YAML parser's events, without first building the generic
// objects: the same result as go-decode.ts's decodeGo on them, for the plain YAML configs are written in. Anything
// less plain (anchors and aliases, tags, merge keys, keys that are not strings, keys that name a field only
// case-insensitively) gives up, and the caller builds the objects and decodes them.
import { EVENT_ID, SCALAR_STYLE, getScalarValue, type Event, type MappingEvent, type ScalarEvent, type SequenceEvent } from 'js-yaml';
import { foldKey, type GoStruct, type GoType } from '@ci-stack/prowjob-api';
import { DecodeContext, YamlFloat, childHint, coerce, decodeNull, hintTarget, itemHintOf, setOwn, zeroOf, type DecodeProblem } from './go-decode';
import { resolvePlainScalar } from './go-yaml';

/** Thrown inside the decoder when the input is not plain enough. */
const GIVE_UP = Symbol('not plain YAML');

const NO_RANGE = -1;

type NodeEvent = ScalarEvent | MappingEvent | SequenceEvent;

/** A node without an anchor or a tag (not an alias either): what this decoder reads. */
function plainNode(event: Event): NodeEvent {
  const isNode = event.type === EVENT_ID.SCALAR || event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE;
  if (!isNode || event.anchorStart !== NO_RANGE || event.tagStart !== NO_RANGE) throw GIVE_UP;
  return event;
}

/**
 * The Go value of the single document in `events` (a mapping at the top, or empty), or undefined when the input
 * is not plain enough for this decoder; then nothing is added to `problems`.
 */
export function decodeEvents(source: string, events: Event[], type: GoStruct, problems: DecodeProblem[]): { value: unknown } | undefined {
  if (events.length < 2 || events[0].type !== EVENT_ID.DOCUMENT || events.filter((e) => e.type === EVENT_ID.DOCUMENT).length !== 1) return undefined;
  const root = events[1];
  if (root.type === EVENT_ID.POP) return { value: {} };
  if (root.type !== EVENT_ID.MAPPING) return undefined;
  const found: DecodeProblem[] = [];
  try {
    const value = new EventDecoder(source, events, found).node(type, type);
    problems.push(...found);
    return { value: value ?? {} };
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

class EventDecoder extends DecodeContext {
  private pos = 1;

  constructor(
    private readonly source: string,
    private readonly events: Event[],
    problems: DecodeProblem[],
  ) {
    super(problems);
  }

  /** Decodes the node at the current event into type `t` and moves past it. */
  node(t: GoType, hint: GoType | undefined): unknown {
    const event = plainNode(this.events[this.pos]);
    let type = t;
    while (type.kind === 'ptr') type = type.elem;
    if (event.type === EVENT_ID.SCALAR) {
      this.pos++;
      return this.scalarNode(this.scalarValue(event), type, hint);
    }
    const isMapping = event.type === EVENT_ID.MAPPING;
    if (type.kind === 'any') return this.plain();
    if (isMapping && type.kind === 'struct') return this.struct(type, hint);
    if (isMapping && type.kind === 'map') return this.map(type.elem, hint);
    if (!isMapping && type.kind === 'slice') return this.sequence(type.elem, hint);
    this.skip();
    // What the generic decoder says of a mapping or a list where this type is wanted.
    return type.kind === 'struct' || type.kind === 'map' || type.kind === 'slice' ? this.wrong(isMapping ? {} : [], type.kind, undefined) : this.scalar(isMapping ? {} : [], type.kind, undefined);
  }

  private scalarNode(raw: unknown, type: GoType, hint: GoType | undefined): unknown {
    if (raw === null) return decodeNull(type, undefined);
    const v = coerce(raw, hint);
    if (type.kind === 'any') return this.plainScalar(v);
    if (type.kind === 'struct' || type.kind === 'map' || type.kind === 'slice') return this.wrong(v, type.kind, undefined);
    return this.scalar(v, type.kind, undefined);
  }

  /** A scalar's value: quoted and block scalars are text; plain ones are resolved as go-yaml resolves them. */
  private scalarValue(event: ScalarEvent): unknown {
    const text = getScalarValue(this.source, event);
    if (event.style !== SCALAR_STYLE.PLAIN) return text;
    if (text === '<<') throw GIVE_UP;
    return resolvePlainScalar(text);
  }

  /**
   * A mapping key as text. A key that is not a string (or `<<`) gives up, and so does a key given twice in one
   * mapping: go-yaml keeps only the last value, which the generic decoder sees alone.
   */
  private key(seen: string[]): string {
    const event = plainNode(this.events[this.pos]);
    if (event.type !== EVENT_ID.SCALAR) throw GIVE_UP;
    this.pos++;
    const key = this.scalarValue(event);
    if (typeof key !== 'string' || seen.includes(key)) throw GIVE_UP;
    seen.push(key);
    return key;
  }

  private struct(t: GoStruct, hint: GoType | undefined): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    const target = hintTarget(hint);
    const seen: string[] = [];
    while (this.events[this.pos].type !== EVENT_ID.POP) {
      const key = this.key(seen);
      const field = t.exact.get(key);
      if (!field) {
        // A key for a field only case-insensitively needs the generic decoder's rules for two keys of one field.
        if (t.folded.has(foldKey(key))) throw GIVE_UP;
        this.skip();
        continue;
      }
      this.path.push(key);
      const value = this.node(field.type, target === t ? field.hint : childHint(target, key));
      this.path.pop();
      if (value === undefined) delete out[field.name];
      else out[field.name] = value;
    }
    this.pos++;
    return out;
  }

  private map(elem: GoType, hint: GoType | undefined): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    const target = hintTarget(hint);
    const seen: string[] = [];
    while (this.events[this.pos].type !== EVENT_ID.POP) {
      const key = this.key(seen);
      this.path.push(key);
      const value = this.node(elem, childHint(target, key)) ?? zeroOf(elem) ?? null;
      this.path.pop();
      setOwn(out, key, value);
    }
    this.pos++;
    return out;
  }

  private sequence(elem: GoType, hint: GoType | undefined): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    const itemHint = itemHintOf(hint);
    while (this.events[this.pos].type !== EVENT_ID.POP) {
      this.path.push(out.length);
      out.push(this.node(elem, itemHint) ?? zeroOf(elem) ?? null);
      this.path.pop();
    }
    this.pos++;
    return out;
  }

  /** An untyped value, built as it stands. */
  private plain(): unknown {
    const event = plainNode(this.events[this.pos]);
    if (event.type === EVENT_ID.SCALAR) {
      this.pos++;
      return this.plainScalar(this.scalarValue(event));
    }
    this.pos++;
    if (event.type === EVENT_ID.SEQUENCE) {
      const out: unknown[] = [];
      while (this.events[this.pos].type !== EVENT_ID.POP) out.push(this.plain());
      this.pos++;
      return out;
    }
    const out: Record<string, unknown> = {};
    const seen: string[] = [];
    while (this.events[this.pos].type !== EVENT_ID.POP) {
      const key = this.key(seen);
      setOwn(out, key, this.plain());
    }
    this.pos++;
    return out;
  }

  private plainScalar(v: unknown): unknown {
    if (v instanceof YamlFloat) return v.value;
    if (typeof v === 'number' && !Number.isFinite(v)) return this.problem(`unsupported value ${String(v)}`, undefined);
    return v;
  }

  /** Moves past the node at the current event (a key Prow does not know), giving up on anything not plain. */
  private skip(): void {
    const event = plainNode(this.events[this.pos++]);
    if (event.type === EVENT_ID.SCALAR) return;
    while (this.events[this.pos].type !== EVENT_ID.POP) this.skip();
    this.pos++;
  }
}
