import { CoreV1Api, type KubeConfig, type V1Container, type V1ContainerStatus, type V1Pod } from '@kubernetes/client-node';

export type PodEnd = 'Succeeded' | 'Failed';

/** The job and the CLUSTER_NAME of a pod plank created for a ProwJob. */
export function podJob(pod: V1Pod): { job: string; cluster?: string; ageMs: number } {
  const env = pod.spec?.containers[0]?.env ?? [];
  const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : Date.now();
  return { job: pod.metadata?.labels?.['prow.k8s.io/job'] ?? '', cluster: env.find((e) => e.name === 'CLUSTER_NAME')?.value, ageMs: Date.now() - created };
}

function terminated(c: V1Container, exitCode: number, at: Date): V1ContainerStatus {
  return { name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: at, finishedAt: at } } };
}

/**
 * Plays the kubelet for the pods plank creates (there is none here): when `decide` returns an end for a pod, its
 * status becomes that phase with every container terminated, exit code and finishedAt set (plank records an
 * error without finishedAt on every container). Pods `decide` leaves alone stay pending.
 */
export function startFakeKubelet(kubeConfig: KubeConfig, namespace: string, decide: (pod: V1Pod) => PodEnd | undefined): { stop(): Promise<void> } {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const done = new Set<string>();
  let stopped = false;
  const finish = async (pod: V1Pod, end: PodEnd): Promise<void> => {
    const at = new Date();
    const code = end === 'Succeeded' ? 0 : 1;
    const spec = pod.spec;
    pod.status = {
      ...pod.status,
      phase: end,
      startTime: pod.status?.startTime ?? at,
      initContainerStatuses: (spec?.initContainers ?? []).map((c) => terminated(c, 0, at)),
      containerStatuses: (spec?.containers ?? []).map((c) => terminated(c, code, at)),
    };
    await core.replaceNamespacedPodStatus({ name: pod.metadata?.name ?? '', namespace, body: pod });
    done.add(pod.metadata?.uid ?? '');
  };
  const loop = (async () => {
    while (!stopped) {
      const pods = await core.listNamespacedPod({ namespace }).catch(() => ({ items: [] as V1Pod[] }));
      for (const pod of pods.items) {
        if (done.has(pod.metadata?.uid ?? '') || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        const end = decide(pod);
        if (end) await finish(pod, end).catch(() => undefined); // a conflict: try again next time round
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
