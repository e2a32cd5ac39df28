export { createCimasterClient, type CimasterClient } from './client';
export { cimasterDocument } from './document';
export { dnsLabel, duration, hours, readCallParams, text } from './params';
export { cimasterRoutes, unknownCall, type CimasterRoutes } from './routes';
export {
  CLUSTER_STATES,
  clusterDetailSchema,
  clusterViewSchema,
  ticketSchema,
  type ClusterDetail,
  type ClusterView,
  type TicketView,
} from './schemas';
