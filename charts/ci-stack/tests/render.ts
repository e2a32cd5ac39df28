import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { componentDir } from '@ci-stack/kube-env';
import { dump, loadAll } from 'js-yaml';

const run = promisify(execFile);
export const CHART = resolve(__dirname, '..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

let helmPath: Promise<string> | undefined;
/** The real helm, built once into the cache. */
export function helm(): Promise<string> {
  helmPath ??= componentDir('helm').then((dir) => join(dir, 'helm'));
  return helmPath;
}

export async function runHelm(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(await helm(), args, { maxBuffer: 32 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** `helm template` with the given values; rejects with helm's message when it refuses. */
export async function render(values: Record<string, unknown> = {}, namespace = 'ci'): Promise<K8sObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'chart-'));
  try {
    await writeFile(join(dir, 'values.yaml'), dump(values));
    const out = await runHelm(['template', 'rel', CHART, '--namespace', namespace, '-f', join(dir, 'values.yaml')]);
    if (out.code !== 0) throw new Error(out.stderr.trim());
    return (loadAll(out.stdout) as Array<K8sObject | null>).filter((o): o is K8sObject => o !== null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
