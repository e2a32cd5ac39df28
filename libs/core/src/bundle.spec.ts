// The core has no runtime dependencies: its bundle is its own sources and nothing from node_modules.
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '../../..');

it('bundles from its own sources only', async () => {
  const result = await build({
    entryPoints: [join(__dirname, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
    tsconfig: join(ROOT, 'tsconfig.base.json'),
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.length).toBeGreaterThan(0);
  expect(inputs.filter((input) => !input.startsWith('libs/core/src/'))).toEqual([]);
});
