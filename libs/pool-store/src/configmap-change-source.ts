import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ChangeSource } from './change-feed';

/** The server ends each watch after this long and we start the next, so a silently dead connection cannot last. */
const WATCH_TIMEOUT_SECONDS = 300;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * Other replicas' writes, seen through a watch on the one pool ConfigMap (`metadata.name` field selector, which
 * RBAC can limit to that name). A watch the server closes is resumed from the last resourceVersion seen; one that
 * is too old (410 Gone) or fails starts afresh after a capped backoff. Every new watch reports a possible change.
 */
export class ConfigMapChangeSource implements ChangeSource {
  private generation = 0;
  private abort?: () => void;

  constructor(
    private readonly opts: {
      kubeConfig: KubeConfig;
      namespace: string;
      name: string;
      /** Whether a resourceVersion is one this backend wrote itself (already announced in-process). */
      isOwnWrite: (resourceVersion: string) => boolean;
    },
  ) {}

  start(changed: () => void): void {
    const generation = ++this.generation;
    const watch = new Watch(this.opts.kubeConfig);
    const path = `/api/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/configmaps`;
    let from: string | undefined;
    let retryMs = RETRY_MIN_MS;
    const live = (): boolean => generation === this.generation;
    const next = (failed: boolean): void => {
      if (!live()) return;
      const delay = failed ? retryMs : 0;
      retryMs = failed ? Math.min(retryMs * 2, RETRY_MAX_MS) : RETRY_MIN_MS;
      setTimeout(once, delay).unref();
    };
    const once = (): void => {
      if (!live()) return;
      let failed = false;
      let ended = false;
      const query = { fieldSelector: `metadata.name=${this.opts.name}`, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS, ...(from ? { resourceVersion: from } : {}) };
      const onEvent = (type: string, obj: { code?: number; metadata?: { resourceVersion?: string } }): void => {
        if (type === 'ERROR') {
          from = undefined; // 410 Gone or another error: start afresh
          failed = obj.code !== 410;
          return;
        }
        const version = obj.metadata?.resourceVersion;
        if (version) from = version;
        if (type !== 'BOOKMARK' && !(version && this.opts.isOwnWrite(version))) changed();
      };
      watch
        .watch(path, query, onEvent, (err: unknown) => {
          ended = true;
          next(failed || Boolean(err));
        })
        .then(
          (controller) => {
            if (!live()) return controller.abort();
            if (ended) return undefined; // refused (e.g. 403): done() has already scheduled the retry
            this.abort = () => controller.abort();
            changed();
          },
          () => next(true),
        );
    };
    once();
  }

  async stop(): Promise<void> {
    this.generation++;
    this.abort?.();
    this.abort = undefined;
  }
}
