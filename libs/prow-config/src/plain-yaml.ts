// A scanner for the plain block YAML job configs are written in, several times faster than js-yaml's general
// parser: it gives the very events js-yaml's parseEvents gives (the same offsets, styles and flags, so everything
// downstream reads them alike), or gives up and leaves the input to js-yaml. It gives up on whatever it was not
// written for: tabs, CR, BOM and control characters, document markers and directives, anchors, aliases and tags,
// explicit keys, multi-line plain and quoted scalars, flow collections other than one-line sequences of scalars and
// `{}`, deep nesting, and on anything js-yaml refuses, so that js-yaml reports it. The rules below follow js-yaml's
// loader (readBlockMapping, readBlockSequence, readPlainScalar, readBlockScalar), which decide the events.
import { CHOMPING_MODE, COLLECTION_STYLE, EVENT_ID, SCALAR_STYLE, type ChompingMode, type Event, type ScalarEvent, type ScalarStyle } from 'js-yaml';

const GIVE_UP = Symbol('not plain block YAML');
const NO_RANGE = -1;
/** Collections nested deeper are left to js-yaml, which refuses nesting beyond its own limit of 100. */
const MAX_DEPTH = 50;

// Characters outside printable ASCII, newline and the BMP's printable rest (no BOM, no NEL, no surrogates).
const IRREGULAR = /[^\n\x20-\x7E\u00A0-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD]/;

const NUL = 0;
const LF = 10;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DOT = 46;
const QUESTION = 63;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;
const BACKSLASH = 92;
const PIPE = 124;
const GREATER = 62;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Characters that cannot start a plain scalar in block context (js-yaml's canStartPlainScalar). */
const NOT_PLAIN_START = new Set([...'#&*!|>\'"%@`,[]{}'].map((c) => c.charCodeAt(0)));
const SIMPLE_ESCAPES = new Set([...'0abt\tnvfre "/\\N_LP'].map((c) => c.charCodeAt(0)));
const HEX_LENGTH: Record<number, number> = { 120: 2, 117: 4, 85: 8 };
const FLOW_INDICATORS = new Set([COMMA, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE]);

function isBlank(c: number): boolean {
  return c === SPACE || c === LF || c === NUL;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

function scalarEvent(valueStart: number, valueEnd: number, style: ScalarStyle, chomping: ChompingMode, indent: number, fast: boolean): ScalarEvent {
  return { type: EVENT_ID.SCALAR, valueStart, valueEnd, anchorStart: NO_RANGE, anchorEnd: NO_RANGE, tagStart: NO_RANGE, tagEnd: NO_RANGE, style, chomping, indent, fast };
}

const emptyScalar = (): ScalarEvent => scalarEvent(NO_RANGE, NO_RANGE, SCALAR_STYLE.PLAIN, CHOMPING_MODE.CLIP, NO_RANGE, false);

/** js-yaml's events for `text` when it is plain block YAML holding one mapping; undefined otherwise. */
export function scanPlainYaml(text: string): Event[] | undefined {
  if (IRREGULAR.test(text)) return undefined;
  try {
    return new Scanner(text).document();
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

function giveUp(): never {
  throw GIVE_UP;
}

class Scanner {
  /** The text with js-yaml's terminating NUL, so that offsets and end tests read as in js-yaml. */
  private readonly s: string;
  private pos = 0;
  private lineStart = 0;
  private depth = 0;
  private readonly events: Event[] = [];

  constructor(text: string) {
    this.s = `${text}\0`;
  }

  document(): Event[] {
    this.skipToContent(true);
    // An explicit start (`---`, often at the top of job files), the document on the lines after it.
    const explicitStart = this.at(this.pos) === DASH && this.isDocumentMarker(this.pos);
    if (explicitStart) {
      const markerLine = this.lineStart;
      this.pos += 3;
      this.skipToContent();
      if (this.lineStart === markerLine) giveUp();
    }
    this.events.push({ type: EVENT_ID.DOCUMENT, explicitStart, explicitEnd: false, directives: [] });
    if (this.at(this.pos) === NUL || this.pos !== this.lineStart || this.at(this.pos) === 37 /* % */) giveUp();
    this.node(-1);
    if (this.events[1].type !== EVENT_ID.MAPPING) giveUp();
    this.skipToContent();
    if (this.at(this.pos) !== NUL) giveUp();
    this.events.push({ type: EVENT_ID.POP });
    return this.events;
  }

  private at(i: number): number {
    return this.s.charCodeAt(i);
  }

  private column(): number {
    return this.pos - this.lineStart;
  }

  /** Past spaces, comments and line breaks, to the next content or the end; refuses a document marker unless told. */
  private skipToContent(markerAllowed = false): void {
    const s = this.s;
    let p = this.pos;
    for (;;) {
      let c = s.charCodeAt(p);
      while (c === SPACE) c = s.charCodeAt(++p);
      if (c === HASH) {
        if (p !== this.lineStart && s.charCodeAt(p - 1) !== SPACE) giveUp();
        p = s.indexOf('\n', p);
        if (p === -1) p = s.length - 1;
        c = s.charCodeAt(p);
      }
      if (c !== LF) break;
      p++;
      this.lineStart = p;
    }
    this.pos = p;
    if (!markerAllowed && p === this.lineStart && this.isDocumentMarker(p)) giveUp();
  }

  private isDocumentMarker(p: number): boolean {
    const c = this.at(p);
    return (c === DASH || c === DOT) && this.at(p + 1) === c && this.at(p + 2) === c && isBlank(this.at(p + 3));
  }

  private isSequenceEntry(p: number): boolean {
    return this.at(p) === DASH && isBlank(this.at(p + 1));
  }

  /**
   * The node at the current content, a collection's entry or a value on a line of its own (js-yaml's parseNode
   * with block collections allowed); `parent` is the indentation of the collection holding it.
   */
  private node(parent: number): void {
    const col = this.column();
    const c = this.at(this.pos);
    if (this.isSequenceEntry(this.pos)) this.sequence(col);
    else if (c === PIPE || c === GREATER) this.blockScalar(parent + 1);
    else {
      const start = this.pos;
      const first = this.flowOrScalar(parent + 1, true);
      if (first === 'key') this.mapping(col, start);
      else this.endOfLine();
    }
  }

  /**
   * A flow collection or a scalar on the current line; 'key' when it is followed by `: ` (a mapping key, its
   * event pushed). `threshold` is the indentation from which a following line would continue a plain scalar.
   */
  private flowOrScalar(threshold: number, mayBeKey: boolean): 'key' | 'value' {
    const c = this.at(this.pos);
    if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      this.flow();
      return this.keyFollows(mayBeKey);
    }
    if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) {
      this.quoted(c);
      return this.keyFollows(mayBeKey);
    }
    return this.plain(threshold, mayBeKey);
  }

  /** After a key candidate: `:` and a blank makes it a key (flow collections as keys are left to js-yaml). */
  private keyFollows(mayBeKey: boolean): 'key' | 'value' {
    let p = this.pos;
    while (this.at(p) === SPACE) p++;
    if (this.at(p) !== COLON) return 'value';
    if (!mayBeKey || !isBlank(this.at(p + 1)) || this.events[this.events.length - 1].type !== EVENT_ID.SCALAR) giveUp();
    this.pos = p + 1;
    return 'key';
  }

  /** Only spaces and a comment may follow a value on its line. */
  private endOfLine(): void {
    let p = this.pos;
    while (this.at(p) === SPACE) p++;
    const c = this.at(p);
    if (c !== LF && c !== NUL && !(c === HASH && this.at(p - 1) === SPACE)) giveUp();
  }

  /** A block mapping at indentation `indent`, its first key's event pushed last and the position past its `:`. */
  private mapping(indent: number, start: number): void {
    if (++this.depth > MAX_DEPTH) giveUp();
    const key = this.events.pop() as Event;
    this.events.push({ type: EVENT_ID.MAPPING, start, anchorStart: NO_RANGE, anchorEnd: NO_RANGE, tagStart: NO_RANGE, tagEnd: NO_RANGE, style: COLLECTION_STYLE.BLOCK }, key);
    for (;;) {
      const entryLine = this.lineStart;
      this.value(indent);
      this.skipToContent();
      if (this.at(this.pos) === NUL) break;
      const col = this.column();
      if (this.lineStart === entryLine || col > indent) giveUp();
      if (col < indent) break;
      if (this.isSequenceEntry(this.pos) || this.flowOrScalar(indent + 1, true) !== 'key') giveUp();
    }
    this.depth--;
    this.events.push({ type: EVENT_ID.POP });
  }

  /** A mapping value, the position just past its key's `:`. */
  private value(indent: number): void {
    const s = this.s;
    let p = this.pos;
    while (s.charCodeAt(p) === SPACE) p++;
    const c = s.charCodeAt(p);
    if (c === LF || c === NUL || c === HASH) {
      this.skipToContent();
      const col = this.column();
      if (this.at(this.pos) === NUL || col < indent || (col === indent && !this.isSequenceEntry(this.pos))) this.events.push(emptyScalar());
      else if (col === indent) this.sequence(col);
      else this.node(indent);
      return;
    }
    this.pos = p;
    if (c === PIPE || c === GREATER) this.blockScalar(indent + 1);
    else if (this.isSequenceEntry(p) || (c === QUESTION && isBlank(s.charCodeAt(p + 1)))) giveUp();
    else {
      if (this.flowOrScalar(indent + 1, false) === 'key') giveUp();
      this.endOfLine();
    }
  }

  /** A block sequence at indentation `indent`, the position at its first `-`. */
  private sequence(indent: number): void {
    if (++this.depth > MAX_DEPTH) giveUp();
    this.events.push({ type: EVENT_ID.SEQUENCE, start: this.pos, anchorStart: NO_RANGE, anchorEnd: NO_RANGE, tagStart: NO_RANGE, tagEnd: NO_RANGE, style: COLLECTION_STYLE.BLOCK });
    for (;;) {
      const entryLine = this.lineStart;
      this.pos++;
      this.skipToContent();
      const brokeLine = this.lineStart !== entryLine;
      if (this.at(this.pos) === NUL || (brokeLine && this.column() <= indent)) this.events.push(emptyScalar());
      else this.node(indent);
      this.skipToContent();
      if (this.at(this.pos) === NUL) break;
      const col = this.column();
      if (col < indent) break;
      if (col > indent || this.lineStart === entryLine) giveUp();
      if (!this.isSequenceEntry(this.pos)) break;
    }
    this.depth--;
    this.events.push({ type: EVENT_ID.POP });
  }

  /**
   * A plain scalar on this line (js-yaml's readPlainScalar), or a key when `: ` ends it. It gives up when the next
   * line, indented to `threshold` or more, would continue it: js-yaml then reads it as a multi-line scalar.
   */
  private plain(threshold: number, mayBeKey: boolean): 'key' | 'value' {
    const s = this.s;
    const start = this.pos;
    let c = s.charCodeAt(start);
    if (NOT_PLAIN_START.has(c) || ((c === DASH || c === QUESTION || c === COLON) && isBlank(s.charCodeAt(start + 1)))) giveUp();
    let p = start;
    let end = start;
    for (;;) {
      if (c === LF || c === NUL) break;
      if (c === COLON && isBlank(s.charCodeAt(p + 1))) {
        if (!mayBeKey) giveUp();
        this.events.push(scalarEvent(start, end, SCALAR_STYLE.PLAIN, CHOMPING_MODE.CLIP, NO_RANGE, true));
        this.pos = p + 1;
        return 'key';
      }
      if (c === HASH && s.charCodeAt(p - 1) === SPACE) break;
      if (c !== SPACE) end = p + 1;
      c = s.charCodeAt(++p);
    }
    if (c === LF && this.continuesAt(p) >= threshold) giveUp();
    this.events.push(scalarEvent(start, end, SCALAR_STYLE.PLAIN, CHOMPING_MODE.CLIP, NO_RANGE, true));
    this.pos = p;
    return 'value';
  }

  /** The indentation of the first line after the break at `p` that is not empty (js-yaml's skipSeparationSpace without comments). */
  private continuesAt(p: number): number {
    const s = this.s;
    let indent = 0;
    while (s.charCodeAt(p) === LF) {
      p++;
      indent = 0;
      while (s.charCodeAt(p) === SPACE) {
        p++;
        indent++;
      }
    }
    return indent;
  }

  /** A quoted scalar on one line. */
  private quoted(quote: number): void {
    const s = this.s;
    let p = this.pos + 1;
    const start = p;
    let simple = true;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === LF || c === NUL) giveUp();
      if (c === quote) {
        if (quote === SINGLE_QUOTE && s.charCodeAt(p + 1) === SINGLE_QUOTE) {
          simple = false;
          p += 2;
          continue;
        }
        break;
      }
      if (c === BACKSLASH && quote === DOUBLE_QUOTE) {
        simple = false;
        p = this.escapeEnd(p + 1);
      } else p++;
    }
    const style = quote === SINGLE_QUOTE ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED;
    this.events.push(scalarEvent(start, p, style, CHOMPING_MODE.CLIP, NO_RANGE, simple));
    this.pos = p + 1;
  }

  /** Past the escape whose letter is at `p`; gives up on an escape js-yaml refuses and on an escaped line break. */
  private escapeEnd(p: number): number {
    const c = this.at(p);
    if (SIMPLE_ESCAPES.has(c)) return p + 1;
    const length = HEX_LENGTH[c] ?? giveUp();
    for (let i = 1; i <= length; i++) if (!isHex(this.at(p + i))) giveUp();
    return p + length + 1;
  }

  /** `{}`, `[]`, or a one-line flow sequence of scalars. */
  private flow(): void {
    const s = this.s;
    const start = this.pos;
    const mapping = s.charCodeAt(start) === OPEN_BRACE;
    const type = mapping ? EVENT_ID.MAPPING : EVENT_ID.SEQUENCE;
    this.events.push({ type, start, anchorStart: NO_RANGE, anchorEnd: NO_RANGE, tagStart: NO_RANGE, tagEnd: NO_RANGE, style: COLLECTION_STYLE.FLOW });
    this.pos++;
    for (;;) {
      while (s.charCodeAt(this.pos) === SPACE) this.pos++;
      const c = s.charCodeAt(this.pos);
      if (c === (mapping ? CLOSE_BRACE : CLOSE_BRACKET)) break;
      if (mapping) giveUp();
      if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) this.quoted(c);
      else this.flowPlain();
      while (s.charCodeAt(this.pos) === SPACE) this.pos++;
      const after = s.charCodeAt(this.pos);
      if (after === COMMA) this.pos++;
      else if (after !== CLOSE_BRACKET) giveUp();
    }
    this.pos++;
    this.events.push({ type: EVENT_ID.POP });
  }

  /** A plain scalar in a flow sequence, ending at a flow indicator; one holding `:` is left to js-yaml. */
  private flowPlain(): void {
    const s = this.s;
    const start = this.pos;
    let c = s.charCodeAt(start);
    if (NOT_PLAIN_START.has(c) || ((c === DASH || c === QUESTION) && (isBlank(s.charCodeAt(start + 1)) || FLOW_INDICATORS.has(s.charCodeAt(start + 1))))) giveUp();
    let p = start;
    let end = start;
    while (!FLOW_INDICATORS.has(c)) {
      if (c === LF || c === NUL || c === COLON || (c === HASH && s.charCodeAt(p - 1) === SPACE)) giveUp();
      if (c !== SPACE) end = p + 1;
      c = s.charCodeAt(++p);
    }
    this.events.push(scalarEvent(start, end, SCALAR_STYLE.PLAIN, CHOMPING_MODE.CLIP, NO_RANGE, true));
    this.pos = p;
  }

  /** A literal or folded block scalar: js-yaml's readBlockScalar, `parentIndent` as it is given there. */
  private blockScalar(parentIndent: number): void {
    const s = this.s;
    const style = s.charCodeAt(this.pos) === PIPE ? SCALAR_STYLE.LITERAL_BLOCK : SCALAR_STYLE.FOLDED_BLOCK;
    let chomping: ChompingMode = CHOMPING_MODE.CLIP;
    let indent = NO_RANGE;
    let detectedIndent = false;
    let p = this.pos + 1;
    for (let c = s.charCodeAt(p); ; c = s.charCodeAt(++p)) {
      if (c === 43 /* + */ || c === DASH) {
        if (chomping !== CHOMPING_MODE.CLIP) giveUp();
        chomping = c === 43 ? CHOMPING_MODE.KEEP : CHOMPING_MODE.STRIP;
      } else if (c >= 49 && c <= 57) {
        if (detectedIndent) giveUp();
        indent = parentIndent + c - 49;
        detectedIndent = true;
      } else if (c === 48) giveUp();
      else break;
    }
    const headerEnd = p;
    while (s.charCodeAt(p) === SPACE) p++;
    if (p > headerEnd && s.charCodeAt(p) === HASH) p = s.indexOf('\n', p) === -1 ? s.length - 1 : s.indexOf('\n', p);
    if (s.charCodeAt(p) === LF) this.lineStart = ++p;
    else if (s.charCodeAt(p) !== NUL) giveUp();
    this.pos = p;
    const valueStart = p;
    const value = this.blockLines(parentIndent, detectedIndent ? indent : NO_RANGE, detectedIndent);
    this.events.push(scalarEvent(valueStart, value.end, style, chomping, value.contentIndent, false));
  }

  /** The lines of a block scalar, from the position at its first line; leaves the position where js-yaml leaves it. */
  private blockLines(parentIndent: number, contentIndentGiven: number, detectedIndent: boolean): { end: number; contentIndent: number } {
    const s = this.s;
    let contentIndent = contentIndentGiven;
    let maxLeadingIndent = 0;
    let end = this.pos;
    while (s.charCodeAt(this.pos) !== NUL) {
      const line = this.pos;
      let column = 0;
      while (s.charCodeAt(line + column) === SPACE) column++;
      const first = s.charCodeAt(line + column);
      if (first === NUL) {
        if (contentIndent >= 0 ? column > contentIndent : column > 0) end = line + column;
        break;
      }
      if (this.isDocumentMarker(line)) giveUp();
      const content = first !== LF;
      if (!detectedIndent && contentIndent === NO_RANGE) {
        if (!content) maxLeadingIndent = Math.max(maxLeadingIndent, column);
        else if (column >= parentIndent && column < maxLeadingIndent) giveUp();
      }
      if (content && contentIndent === NO_RANGE && column < parentIndent) {
        this.pos = line + column;
        break;
      }
      if (content && !detectedIndent && contentIndent === NO_RANGE) contentIndent = column;
      const requiredIndent = contentIndent === NO_RANGE ? parentIndent + 1 : contentIndent;
      if (content && column < requiredIndent) {
        this.pos = line + column;
        break;
      }
      const lineEnd = s.indexOf('\n', line);
      if (lineEnd === -1) {
        this.pos = s.length - 1;
        end = this.pos;
        break;
      }
      this.pos = this.lineStart = lineEnd + 1;
      end = this.pos;
    }
    return { end, contentIndent };
  }
}
