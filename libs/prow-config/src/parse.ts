import type { GoStruct } from '@ci-stack/prowjob-api';
import { constructFromEvents, parseEvents, type Event } from 'js-yaml';
import { decodeGo, type DecodeProblem } from './go-decode';
import { decodeEvents } from './go-events';
import { GO_YAML_SCHEMA } from './go-yaml';
import { scanPlainYaml } from './plain-yaml';
import type { ConfigProblem } from './problems';

/** A YAML file read into a Go type, with a cheap way to find the line a job is defined on. */
export interface DecodedFile {
  file: string;
  /** What Go holds after reading the file into the type (see decodeGo). */
  doc: Record<string, unknown>;
  lineOf(name: string): number | undefined;
}

/**
 * Reads YAML text into Go type `type` as Prow does. Problems of the YAML itself (malformed, not a mapping) go to
 * `problems` and give undefined; values that do not fit the type go to `misfits` with their paths.
 */
export function readYaml(file: string, text: string, type: GoStruct, problems: ConfigProblem[], misfits: DecodeProblem[]): DecodedFile | undefined {
  const lineOf = lineFinder(text);
  // An empty file (or one with only comments) is an empty config, as in Prow.
  if (!/^\s*[^#\s]/m.test(text)) return { file, doc: {}, lineOf };
  // The plain block YAML configs are written in is scanned fast; anything else goes through js-yaml.
  let events = scanPlainYaml(text);
  try {
    events ??= parseEvents(text, { filename: file });
  } catch (err) {
    problems.push(yamlProblem(file, err));
    return undefined;
  }
  const decoded = decodeEvents(text, events, type, misfits);
  if (decoded) return { file, doc: decoded.value as Record<string, unknown>, lineOf };
  const data = constructYaml(file, text, events, problems);
  if (!data) return undefined;
  const doc = (decodeGo(data, type, misfits) ?? {}) as Record<string, unknown>;
  return { file, doc, lineOf };
}

/**
 * The YAML as generic objects (go-yaml's scalars; a key given twice keeps its last value, as in go-yaml): for
 * input too irregular for decodeEvents. Undefined, with a problem, when it is not one mapping.
 */
export function constructYaml(file: string, text: string, events: Event[], problems: ConfigProblem[]): Record<string, unknown> | undefined {
  let documents: unknown[];
  try {
    documents = constructFromEvents(events, { source: text, filename: file, schema: GO_YAML_SCHEMA, json: true });
    if (documents.length !== 1) throw new Error(documents.length === 0 ? 'expected a document, but the input is empty' : 'expected a single document in the stream, but found more');
  } catch (err) {
    problems.push(yamlProblem(file, err));
    return undefined;
  }
  const data = documents[0] ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, message: 'the file must hold a YAML mapping at the top level' });
    return undefined;
  }
  return data as Record<string, unknown>;
}

function yamlProblem(file: string, err: unknown): ConfigProblem {
  const mark = (err as { mark?: { line?: number } }).mark;
  const reason = (err as { reason?: string }).reason ?? (err as Error).message;
  return { file, line: mark?.line !== undefined ? mark.line + 1 : undefined, message: `invalid YAML: ${reason}` };
}

const NAME_LINE = /^\s*(?:-\s+)?name:\s*["']?([A-Za-z0-9._-]+)["']?\s*(?:#.*)?$/;

/** The line each `name:` is on, looked up only when a problem needs it. */
function lineFinder(text: string): (name: string) => number | undefined {
  let lines: Map<string, number> | undefined;
  return (name) => {
    if (!lines) {
      lines = new Map();
      const all = text.split('\n');
      for (let i = 0; i < all.length; i++) {
        const match = NAME_LINE.exec(all[i]);
        if (match && !lines.has(match[1])) lines.set(match[1], i + 1);
      }
    }
    return lines.get(name);
  };
}
