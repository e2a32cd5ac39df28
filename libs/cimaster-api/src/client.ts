import { createClient, type Client, type ClientOptions } from '@ci-stack/http-contract';
import { cimasterRoutes, type CimasterRoutes } from './routes';

export type CimasterClient = Client<CimasterRoutes>;

/** A typed cimaster client (JSON answers), derived from the route table. */
export function createCimasterClient(opts: Omit<ClientOptions, 'service'>): CimasterClient {
  return createClient(cimasterRoutes, { service: 'cimaster', ...opts });
}
