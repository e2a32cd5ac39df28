import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ConfigProblem } from './problems';

const YAML_FILE = /\.ya?ml$/;

/**
 * The job config files under `root`: the file itself, or every *.yaml/*.yml below a directory. Entries starting
 * with `..` are skipped: a mounted ConfigMap shows each key twice, once through its `..data` symlink. Two files
 * with the same base name are an error, as in Prow (ConfigMap keys are flat).
 */
export async function listJobConfigFiles(root: string, problems: ConfigProblem[]): Promise<string[]> {
  const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
    problems.push({ file: root, message: `cannot read job config path: ${err.code ?? err.message}` });
    return undefined;
  });
  if (!info) return [];
  if (!info.isDirectory()) return [root];
  const files: string[] = [];
  await walk(root, files, problems);
  files.sort();
  const seen = new Map<string, string>();
  for (const file of files) {
    const base = basename(file);
    const first = seen.get(base);
    if (first) problems.push({ file, message: `duplicated config file name ${base} (also ${first}); file names must be unique` });
    else seen.set(base, file);
  }
  return files;
}

async function walk(dir: string, out: string[], problems: ConfigProblem[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ file: dir, message: `cannot read directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('..')) continue;
    const path = join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      if (!target) {
        problems.push({ file: path, message: 'broken symlink' });
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) await walk(path, out, problems);
    else if (isFile && YAML_FILE.test(entry.name)) out.push(path);
  }
}
