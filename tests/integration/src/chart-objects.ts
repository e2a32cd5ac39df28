import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { sharedKubeEnv } from '@ci-stack/kube-env';
import { dump, loadAll } from 'js-yaml';
import { ROOT } from './services';

const run = promisify(execFile);

/** The chart rendered by the real helm. */
export async function renderChart(namespace: string, values: Record<string, unknown> = {}): Promise<KubernetesObject[]> {
  const dir = await mkdtemp(join(tmpdir(), 'chart-int-'));
  try {
    await writeFile(join(dir, 'values.yaml'), dump(values));
    const { stdout } = await run(sharedKubeEnv().bins.helm, ['template', 'rel', join(ROOT, 'charts/ci-stack'), '--namespace', namespace, '-f', join(dir, 'values.yaml')], { maxBuffer: 32 * 1024 * 1024 });
    return (loadAll(stdout) as Array<KubernetesObject | null>).filter((o): o is KubernetesObject => o !== null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** ServiceAccounts, Roles and RoleBindings of one component: what its pods run with. */
export function rbacOf(objects: KubernetesObject[], component: string): KubernetesObject[] {
  return objects.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind ?? '') && o.metadata?.name?.endsWith(component));
}
