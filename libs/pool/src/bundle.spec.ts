// The pool's rules run anywhere: bundling the library must pull in no HTTP server, logger or metrics library
// (they belong to the service chassis, which a domain library may not load, not even through another library).
import { join } from 'node:path';
import { bundledInputs } from '@ci-stack/core/bundle-inputs';

it('bundles without express, pino or prom-client', async () => {
  const inputs = await bundledInputs(join(__dirname, 'index.ts'));
  expect(inputs).toContain('libs/pool/src/index.ts');
  expect(inputs.filter((input) => /node_modules\/(express|pino|prom-client)\//.test(input))).toEqual([]);
});
