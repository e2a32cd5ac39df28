// The pool's rules run anywhere: bundling the library must pull in no HTTP server, logger or metrics library
// (they belong to the service chassis, which a domain library may not load, not even through another library).
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '../../..');

it('bundles without express, pino or prom-client', async () => {
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
  expect(inputs).toContain('libs/pool/src/index.ts');
  expect(inputs.filter((input) => /node_modules\/(express|pino|prom-client)\//.test(input))).toEqual([]);
});
