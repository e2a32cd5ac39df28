import { callApi } from '@ci-stack/console-kit';
import type { ClusterView, HistoryView } from './pool-model';

/** An admin or e2e call of cimaster, sent as POST with a JSON body and answered in JSON. */
export type PoolCall = 'addcluster' | 'createcluster' | 'disablecluster' | 'enablecluster' | 'deletecluster' | 'holdcluster' | 'releasecluster';

export interface CallAnswer {
  success: boolean;
  message: string;
}

/** Empty fields are left out, so the service applies its defaults. */
export function poolCall(call: PoolCall, params: Record<string, string | number | undefined>, token: string | undefined): Promise<CallAnswer> {
  const body: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') body[k] = v;
  return callApi<CallAnswer>(`/${call}`, { method: 'POST', body, token });
}

export function clusterDetail(name: string, signal?: AbortSignal): Promise<ClusterView & { history: HistoryView[] }> {
  return callApi(`/clusters/${encodeURIComponent(name)}`, { signal });
}
