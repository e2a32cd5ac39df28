import type { ProwJob } from '@ci-stack/prowjob-api';

/** One list request, in the API server's terms (`continue` and `resourceVersion` are its own). */
export interface ListQuery {
  labelSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ListPage {
  items: ProwJob[];
  continue?: string;
  resourceVersion: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  prowJob: ProwJob;
}

export interface Watching {
  stop(): void;
  /** Why the watch ended: closed by the server, `gone` (resourceVersion compacted), failed, or stopped by us. */
  readonly ended: Promise<'closed' | 'gone' | 'error' | 'stopped'>;
}

/** A merge patch applied only if the ProwJob is still at `resourceVersion` (else a 409 conflict). */
export interface GuardedMergePatch {
  type: 'merge';
  patch: Record<string, unknown>;
  resourceVersion: string;
}

/** The Kubernetes operations manual-trigger needs; `@ci-stack/prowjob-client` implements them. */
export interface ProwJobApi {
  readonly namespace: string;
  create(prowJob: ProwJob): Promise<ProwJob>;
  get(name: string): Promise<ProwJob>;
  list(query: ListQuery): Promise<ListPage>;
  patch(name: string, change: GuardedMergePatch): Promise<ProwJob>;
  watch(name: string, resourceVersion: string | undefined, onEvent: (event: WatchEvent) => void): Watching;
  waitForBuildId(created: ProwJob, timeoutMs: number): Promise<{ prowJob: ProwJob; assigned: boolean }>;
  ping(): Promise<void>;
}
