import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { KubeAlreadyExistsError, KubeConflictError, KubeNotFoundError, kubeCall } from '@ci-stack/kube';
import type { Clock } from '@ci-stack/core';
import type { LeaderLock } from './leader-elector';

export interface KubeLeaseLockOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The Lease's name, e.g. `clusters-leader` beside the pool ConfigMap `clusters`. */
  name: string;
  leaseDurationMs: number;
  clock: Clock;
  requestTimeoutMs?: number;
}

/**
 * The leader lock as a `coordination.k8s.io/v1` Lease, taken the way client-go's leader election takes it: a
 * holder's lease counts as expired only once this replica has seen it unchanged for the lease duration on its
 * own clock (never by comparing `renewTime` with a clock of another machine), and every write carries the
 * resourceVersion it read, so two replicas racing for a lapsed lease cannot both win.
 */
export class KubeLeaseLock implements LeaderLock {
  private readonly api: CoordinationV1Api;
  private readonly timeout: number;
  /** The last version of the Lease seen and when (this replica's clock), for judging expiry. */
  private observed?: { version: string; at: number };

  constructor(private readonly opts: KubeLeaseLockOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    this.timeout = opts.requestTimeoutMs ?? 10_000;
  }

  async tryAcquire(identity: string): Promise<boolean> {
    const lease = await this.read();
    const now = this.opts.clock.now();
    if (!lease) return this.write('create', this.takenBy(identity, now, {}));
    const version = lease.metadata?.resourceVersion ?? '';
    if (this.observed?.version !== version) this.observed = { version, at: now.getTime() };
    const spec = lease.spec ?? {};
    const lapsed = now.getTime() - this.observed.at >= (spec.leaseDurationSeconds ?? this.durationSeconds) * 1000;
    if (spec.holderIdentity && spec.holderIdentity !== identity && !lapsed) return false;
    return this.write('replace', this.takenBy(identity, now, spec), version);
  }

  /** The Lease's spec once `identity` holds it: renewed when it already did, else taken over (one more transition). */
  private takenBy(identity: string, now: Date, spec: NonNullable<V1Lease['spec']>): V1Lease['spec'] {
    const renewing = spec.holderIdentity === identity && spec.acquireTime !== undefined;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: this.durationSeconds,
      acquireTime: renewing ? spec.acquireTime : new V1MicroTime(now),
      renewTime: new V1MicroTime(now),
      leaseTransitions: (spec.leaseTransitions ?? -1) + (renewing ? 0 : 1),
    };
  }

  async release(identity: string): Promise<void> {
    const lease = await this.read();
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    const now = new V1MicroTime(this.opts.clock.now());
    // As client-go does: no holder, a one-second duration, so the next candidate need not wait.
    await this.write('replace', { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: now }, lease.metadata?.resourceVersion);
  }

  private get durationSeconds(): number {
    return Math.max(1, Math.ceil(this.opts.leaseDurationMs / 1000));
  }

  private async read(): Promise<V1Lease | null> {
    try {
      return await kubeCall('read leader lease', this.timeout, () => this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace }));
    } catch (err) {
      if (err instanceof KubeNotFoundError) return null;
      throw err;
    }
  }

  /** Creates or replaces the Lease; false when another replica wrote it first (409). */
  private async write(how: 'create' | 'replace', spec: V1Lease['spec'], version?: string): Promise<boolean> {
    const { name, namespace } = this.opts;
    const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'cimaster' }, resourceVersion: version }, spec };
    try {
      const written =
        how === 'create'
          ? await kubeCall('create leader lease', this.timeout, () => this.api.createNamespacedLease({ namespace, body }))
          : await kubeCall('update leader lease', this.timeout, () => this.api.replaceNamespacedLease({ name, namespace, body }));
      this.observed = { version: written.metadata?.resourceVersion ?? '', at: this.opts.clock.now().getTime() };
      return true;
    } catch (err) {
      if (err instanceof KubeConflictError || err instanceof KubeAlreadyExistsError) return false;
      throw err;
    }
  }
}
