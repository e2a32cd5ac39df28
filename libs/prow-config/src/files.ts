import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ConfigProblem } from './problems';

/**
 * The job config files under `root`, in the order Prow reads them: the file itself, or Go's filepath.Walk over
 * a directory, which visits each directory's entries sorted by name (byte order) and descends into a directory
 * where its name sorts. So `a/x.yaml` comes before `a-b/y.yaml`, whereas a sort of whole paths puts it after.
 * As in Prow: symbolic links are not followed into directories (a link to a file is read like a file), names
 * starting with `..` are skipped (a mounted ConfigMap shows each key twice, once through its `..data` link), only
 * `.yaml` and `.yml` files count, and two files with one base name are an error (ConfigMap keys are flat).
 */
export async function listJobConfigFiles(root: string, problems: ConfigProblem[]): Promise<string[]> {
  const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
    problems.push({ file: root, message: `cannot read job config path: ${err.code ?? err.message}` });
    return undefined;
  });
  if (!info) return [];
  if (!info.isDirectory()) return [root];
  // Go walks from the root's own Lstat: a root that is a link to a directory is not entered.
  const rootInfo = await lstat(root);
  const files: string[] = [];
  if (rootInfo.isDirectory()) await walk(root, files, problems);
  const seen = new Map<string, string>();
  const unique: string[] = [];
  for (const file of files) {
    const base = basename(file);
    const first = seen.get(base);
    if (first) problems.push({ file, message: `duplicated config file name ${base} (also ${first}); file names must be unique` });
    else {
      seen.set(base, file);
      unique.push(file);
    }
  }
  return unique;
}

/** Go's sort.Strings order: by UTF-8 bytes, which differs from JavaScript's UTF-16 order above U+FFFF. */
export function compareBytes(a: string, b: string): number {
  if (belowSurrogates(a) && belowSurrogates(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** UTF-16 order equals UTF-8 byte order for text without surrogate pairs or characters above them. */
function belowSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0xd800) return false;
  return true;
}

const isYaml = (name: string): boolean => extname(name) === '.yaml' || extname(name) === '.yml';

async function walk(dir: string, out: string[], problems: ConfigProblem[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ file: dir, message: `cannot read directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return;
  }
  entries.sort((a, b) => compareBytes(a.name, b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('..')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out, problems);
    else if (isYaml(entry.name)) out.push(path);
  }
}
