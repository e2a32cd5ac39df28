// The core has no runtime dependencies: its bundle is its own sources and nothing from node_modules.
import { join } from 'node:path';
import { bundledInputs } from './bundle-inputs';

it('bundles from its own sources only', async () => {
  const inputs = await bundledInputs(join(__dirname, 'index.ts'));
  expect(inputs).toContain('libs/core/src/index.ts');
  expect(inputs.filter((input) => !input.startsWith('libs/core/src/'))).toEqual([]);
});
