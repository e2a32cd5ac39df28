import { CoreV1Api, type KubeConfig, type V1ContainerStatus } from '@kubernetes/client-node';

/**
 * Plays kubelet for a pod the test environment has no node to run: writes its status (pods/status) as finished,
 * every init container and container terminated with `exitCode` and a `finishedAt`, which is what plank checks
 * before it calls a job a success (`didPodSucceed`). A non-zero exit code makes the pod Failed.
 */
export async function finishPod(kc: KubeConfig, namespace: string, name: string, exitCode = 0): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await core.readNamespacedPod({ namespace, name });
  const now = new Date();
  const terminated = (container: { name: string; image?: string }): V1ContainerStatus => ({
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now } },
  });
  pod.status = {
    ...pod.status,
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    startTime: pod.status?.startTime ?? now,
    initContainerStatuses: (pod.spec?.initContainers ?? []).map(terminated),
    containerStatuses: (pod.spec?.containers ?? []).map(terminated),
  };
  await core.replaceNamespacedPodStatus({ namespace, name, body: pod });
}
