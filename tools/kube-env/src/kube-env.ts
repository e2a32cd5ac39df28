import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { ensureBinaries } from './binaries';
import { insecureGet, rawRequest } from './https-get';
import { writeKubeconfig } from './kubeconfig';
import { type Managed, freePort, removeOnExit, startProcess, waitUntil } from './processes';

export interface KubeEnvOptions {
  /** Namespaces to create (each with a `default` ServiceAccount, which pod admission requires). */
  namespaces?: string[];
  /** Start Prow's plank against this Prow config once the ProwJob CRD serves. */
  plank?: { configPath: string; jobConfigPath: string };
  /** Keep the temp dir (certs, logs, kubeconfig) after stop, for debugging. */
  keepDir?: boolean;
}

export interface KubeEnv {
  dir: string;
  server: string;
  adminToken: string;
  /** Admin kubeconfig file (context `default`). */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** Writes a kubeconfig that authenticates as the ServiceAccount, with a token the API server issued. */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  /** Creates each object (server-side apply when `apply` is set), optionally as a server-side dry run. */
  applyObjects(objects: KubernetesObject[], opts?: { dryRun?: boolean; kubeConfig?: KubeConfig }): Promise<KubernetesObject[]>;
  processes: Managed[];
  stop(): Promise<void>;
}

const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** etcd and kube-apiserver on loopback (free ports, temp dir), the ProwJob CRD, namespaces and optionally plank. */
export async function startKubeEnv(opts: KubeEnvOptions = {}): Promise<KubeEnv> {
  const bins = await ensureBinaries(['etcd', 'kube-apiserver', 'prow']);
  const dir = await mkdtemp(join(tmpdir(), 'kube-env-'));
  if (!opts.keepDir) removeOnExit(dir);
  const processes: Managed[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop();
    if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const etcdUrl = await startEtcd(bins.etcd as string, dir, processes);
    const { server, adminToken } = await startApiServer(bins.kubeApiserver as string, dir, etcdUrl, processes);
    const kubeconfigPath = await writeKubeconfig(join(dir, 'kubeconfig'), server, adminToken);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    await installProwJobCrd(kubeConfig, server, adminToken, bins.prowJobCrd as string);
    for (const ns of opts.namespaces ?? []) await createNamespace(kubeConfig, ns);
    if (opts.plank) await startPlank(bins.plank as string, kubeconfigPath, opts.plank, processes);
    return {
      dir,
      server,
      adminToken,
      kubeconfigPath,
      kubeConfig,
      processes,
      stop,
      serviceAccountKubeconfig: (namespace, name) => serviceAccountKubeconfig(kubeConfig, join(dir, `kubeconfig-${namespace}-${name}`), namespace, name),
      applyObjects: (objects, applyOpts = {}) => applyObjects(applyOpts.kubeConfig ?? kubeConfig, objects, applyOpts.dryRun ?? false),
    };
  } catch (err) {
    await stop().catch(() => undefined); // keep the error that matters: why it did not start
    throw err;
  }
}

async function startEtcd(bin: string, dir: string, processes: Managed[]): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const etcd = startProcess('etcd', bin, [
    '--name', 'kube-env', '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `kube-env=${peerUrl}`,
    // The ProwJob CRD is 3.9 MB; etcd's default request limit is 1.5 MiB.
    '--max-request-bytes', String(16 * 1024 * 1024),
    '--unsafe-no-fsync', '--log-level', 'warn',
  ]);
  processes.push(etcd);
  await waitUntil('etcd health', async () => (await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) })).ok, { timeoutMs: 30_000, process: etcd });
  return clientUrl;
}

async function startApiServer(bin: string, dir: string, etcdUrl: string, processes: Managed[]): Promise<{ server: string; adminToken: string }> {
  const port = await freePort();
  const adminToken = randomBytes(24).toString('hex');
  await writeFile(join(dir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await mkdir(join(dir, 'certs'));
  const apiserver = startProcess('kube-apiserver', bin, [
    '--etcd-servers', etcdUrl,
    '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(port),
    '--cert-dir', join(dir, 'certs'),
    '--token-auth-file', join(dir, 'tokens.csv'),
    '--authorization-mode', 'RBAC',
    '--service-account-key-file', join(dir, 'sa.pub'),
    '--service-account-signing-key-file', join(dir, 'sa.key'),
    '--service-account-issuer', SERVICE_ACCOUNT_ISSUER,
    '--service-cluster-ip-range', '10.96.0.0/24',
    '--storage-media-type', 'application/json',
    // The lease reconciler refuses a loopback advertise address; there are no endpoints to publish anyway.
    '--endpoint-reconciler-type', 'none',
    '--v', '0',
  ]);
  processes.push(apiserver);
  const server = `https://127.0.0.1:${port}`;
  await waitUntil('kube-apiserver /readyz', async () => (await insecureGet(`${server}/readyz`, adminToken)).status === 200, { timeoutMs: 60_000, process: apiserver });
  return { server, adminToken };
}

async function installProwJobCrd(kc: KubeConfig, server: string, token: string, crdPath: string): Promise<void> {
  const crd = load(await readFile(crdPath, 'utf8')) as V1CustomResourceDefinition;
  const api = kc.makeApiClient(ApiextensionsV1Api);
  // `create`, not client-side apply: the last-applied annotation of this 3.9 MB CRD would exceed 256 KiB.
  const created = await rawRequest('POST', `${server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, token, crd);
  if (created.status !== 201) throw new Error(`creating the ProwJob CRD: HTTP ${created.status}: ${created.body.slice(0, 2000)}`);
  await waitUntil('the ProwJob CRD to be Established', async () => {
    const got = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  }, { timeoutMs: 30_000 });
  // plank exits with "failed to get restmapping" if it starts before prowjobs is served.
  const objects = kc.makeApiClient(CustomObjectsApi);
  await waitUntil('prowjobs to answer a list', async () => {
    await objects.listClusterCustomObject({ group: 'prow.k8s.io', version: 'v1', plural: 'prowjobs' });
    return true;
  }, { timeoutMs: 30_000 });
}

export async function createNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  // There is no controller-manager to create it, and pods are refused without it.
  await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default' } } });
}

async function startPlank(bin: string, kubeconfig: string, prow: { configPath: string; jobConfigPath: string }, processes: Managed[]): Promise<void> {
  const [metrics, health, pprof] = [await freePort(), await freePort(), await freePort()];
  const plank = startProcess('plank', bin, [
    '--config-path', prow.configPath, '--job-config-path', prow.jobConfigPath,
    '--kubeconfig', kubeconfig, '--dry-run=false',
    '--metrics-port', String(metrics), '--health-port', String(health), '--pprof-port', String(pprof),
  ]);
  processes.push(plank);
  await waitUntil('plank to be ready', async () => (await fetch(`http://127.0.0.1:${health}/healthz/ready`, { signal: AbortSignal.timeout(2_000) })).ok, { timeoutMs: 60_000, process: plank });
}

/** A kubeconfig (at `path`) that authenticates as the ServiceAccount, with a token the API server issued. */
export async function serviceAccountKubeconfig(admin: KubeConfig, path: string, namespace: string, name: string): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const issued = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [SERVICE_ACCOUNT_ISSUER], expirationSeconds: 3600 } } });
  return writeKubeconfig(path, admin.getCurrentCluster()?.server ?? '', issued.status?.token ?? '', `${namespace}-${name}`);
}

/** Server-side apply of each object, optionally as a server-side dry run; returns what the server answered. */
export async function applyObjects(kc: KubeConfig, objects: KubernetesObject[], dryRun: boolean): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const obj of objects) {
    applied.push(await api.patch(obj, undefined, dryRun ? 'All' : undefined, 'kube-env', true, PatchStrategy.ServerSideApply));
  }
  return applied;
}
