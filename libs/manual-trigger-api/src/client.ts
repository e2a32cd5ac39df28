import { createClient, type Client, type ClientOptions } from '@ci-stack/http-contract';
import { manualTriggerRoutes, type ManualTriggerRoutes } from './routes';

export type ManualTriggerClient = Client<ManualTriggerRoutes>;

/** A typed manual-trigger client, derived from the route table. */
export function createManualTriggerClient(opts: Omit<ClientOptions, 'service'>): ManualTriggerClient {
  return createClient(manualTriggerRoutes, { service: 'manual-trigger', ...opts });
}
