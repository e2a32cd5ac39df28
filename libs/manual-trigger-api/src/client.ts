import { createClient, type Client, type ClientOptions } from '@ci-stack/http-contract';
import { prowJobOpsRoutes } from './prowjob-ops';
import { manualTriggerRoutes, type ManualTriggerRoutes } from './routes';

const clientRoutes = { ...manualTriggerRoutes, ...prowJobOpsRoutes };

export type ManualTriggerClient = Client<ManualTriggerRoutes & typeof prowJobOpsRoutes>;

/** A typed manual-trigger client, derived from the route tables (list, follow, abort and rerun included). */
export function createManualTriggerClient(opts: Omit<ClientOptions, 'service'>): ManualTriggerClient {
  return createClient(clientRoutes, { service: 'manual-trigger', ...opts });
}
