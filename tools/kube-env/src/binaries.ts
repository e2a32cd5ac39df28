import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Component = 'etcd' | 'kube-apiserver' | 'prow' | 'helm';

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  plank: string;
  mkpj: string;
  checkconfig: string;
  prowJobCrd: string;
  helm: string;
}

/** build.sh, found from the sources (tools/kube-env/src) or from any bundle under dist/ by walking up. */
function buildScript(): string {
  const root = process.env.CI_STACK_ROOT;
  if (root && existsSync(join(root, 'tools', 'kube-env', 'build.sh'))) return join(root, 'tools', 'kube-env', 'build.sh');
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'build.sh'), join(dir, 'tools', 'kube-env', 'build.sh')]) if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`kube-env: cannot find tools/kube-env/build.sh above ${__dirname}; set CI_STACK_ROOT`);
  }
}

/**
 * Directory holding the built component, building it from Go modules first if the cache lacks it.
 * build.sh serializes concurrent builds, so parallel callers never build twice.
 */
export async function componentDir(component: Component): Promise<string> {
  const { stdout } = await run('bash', [buildScript(), component], { maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`kube-env: building ${component} failed:\n${err.stderr ?? err.message}`);
  });
  return stdout.trim().split('\n').pop() ?? '';
}

/** Paths of every binary the environment uses; builds sequentially because each Go build uses every core. */
export async function ensureBinaries(components: Component[] = ['etcd', 'kube-apiserver', 'prow', 'helm']): Promise<Partial<Binaries>> {
  const out: Partial<Binaries> = {};
  for (const component of components) {
    const dir = await componentDir(component);
    if (component === 'etcd') out.etcd = join(dir, 'etcd');
    if (component === 'kube-apiserver') out.kubeApiserver = join(dir, 'kube-apiserver');
    if (component === 'helm') out.helm = join(dir, 'helm');
    if (component === 'prow') {
      out.plank = join(dir, 'prow-controller-manager');
      out.mkpj = join(dir, 'mkpj');
      out.checkconfig = join(dir, 'checkconfig');
      out.prowJobCrd = join(dir, 'prowjob-crd.yaml');
    }
  }
  return out;
}
