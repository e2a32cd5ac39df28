import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import { GO_YAML_SCHEMA } from './go-yaml';
import type { ConfigProblem } from './problems';

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
    // As go-yaml: a key given twice keeps its last value.
    data = load(text, { filename: file, schema: GO_YAML_SCHEMA, json: true });
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
