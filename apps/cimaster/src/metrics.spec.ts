import { emptyPool } from '@ci-stack/pool';
import { createMetrics } from './metrics';

it('reports at scrape time whether this replica is the leader', async () => {
  let leading = false;
  const { registry } = createMetrics(async () => emptyPool(), { isLeader: () => leading });
  expect(await registry.getSingleMetricAsString('cimaster_leader_status')).toMatch(/^cimaster_leader_status 0$/m);
  leading = true;
  expect(await registry.getSingleMetricAsString('cimaster_leader_status')).toMatch(/^cimaster_leader_status 1$/m);
});
