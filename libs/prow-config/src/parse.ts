import { readFile } from 'node:fs/promises';
import { CORE_SCHEMA, NOT_RESOLVED, defineScalarTag, load, mergeTag } from 'js-yaml';
import type { ConfigProblem } from './problems';

const GO_INT = /^[-+]?(?:0|[1-9][0-9_]*|0[0-7_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$/;

/**
 * Integers as Prow's YAML reader (go-yaml, YAML 1.1) reads them: `defaultMode: 0400` is octal 256, not 400.
 * Everything else is YAML 1.2's core schema, with merge keys.
 */
const goIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  identify: (value: unknown) => Number.isInteger(value),
  resolve: (source: string) => {
    if (!GO_INT.test(source)) return NOT_RESOLVED;
    const text = source.replace(/_/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const digits = text.replace(/^[-+]/, '');
    if (/^0x/.test(digits)) return sign * parseInt(digits.slice(2), 16);
    if (/^0b/.test(digits)) return sign * parseInt(digits.slice(2), 2);
    if (/^0o/.test(digits)) return sign * parseInt(digits.slice(2), 8);
    if (digits.length > 1 && digits.startsWith('0')) return sign * parseInt(digits, 8);
    return sign * parseInt(digits, 10);
  },
});
const GO_YAML_SCHEMA = CORE_SCHEMA.withTags(mergeTag, goIntTag);

/** A parsed YAML file with a cheap way to find the line a job is defined on. */
export interface ParsedFile {
  file: string;
  data: Record<string, unknown>;
  lineOf(name: string): number | undefined;
}

/** Reads and parses one YAML file; problems (unreadable, malformed, not a mapping) are recorded, never thrown. */
export async function parseYamlFile(file: string, problems: ConfigProblem[]): Promise<ParsedFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    problems.push({ file, message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return undefined;
  }
  return parseYamlText(file, text, problems);
}

/** Parses YAML text; see {@link parseYamlFile}. */
export function parseYamlText(file: string, text: string, problems: ConfigProblem[]): ParsedFile | undefined {
  let data: unknown;
  // An empty file (or one with only comments) is an empty config, as in Prow.
  if (!/^\s*[^#\s]/m.test(text)) return { file, data: {}, lineOf: () => undefined };
  try {
    data = load(text, { filename: file, schema: GO_YAML_SCHEMA });
  } catch (err) {
    const mark = (err as { mark?: { line?: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    problems.push({ file, line: mark?.line !== undefined ? mark.line + 1 : undefined, message: `invalid YAML: ${reason}` });
    return undefined;
  }
  if (data === undefined || data === null) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ file, message: 'the file must hold a YAML mapping at the top level' });
    return undefined;
  }
  let lines: Map<string, number> | undefined;
  return {
    file,
    data: data as Record<string, unknown>,
    lineOf(name: string) {
      lines ??= indexNameLines(text);
      return lines.get(name);
    },
  };
}

const NAME_LINE = /^\s*(?:-\s+)?name:\s*["']?([A-Za-z0-9._-]+)["']?\s*(?:#.*)?$/;

function indexNameLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const match = NAME_LINE.exec(all[i]);
    if (match && !lines.has(match[1])) lines.set(match[1], i + 1);
  }
  return lines;
}
