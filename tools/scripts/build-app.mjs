// Bundles one app or tool into dist/<dir>/main.js with esbuild. Everything, including the ESM-only Kubernetes
// client, is bundled into one CommonJS file, so a container image needs nothing but that file and Node.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: build-app.mjs <apps/NAME|tools/NAME>');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const outdir = join(root, 'dist', dir);
const result = await build({
  entryPoints: [join(root, dir, 'src/main.ts')],
  outfile: join(outdir, 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  metafile: true,
  tsconfig: join(root, 'tsconfig.base.json'),
  legalComments: 'linked',
  // Scripts a service serves (cimaster's /client.sh) are bundled as strings: the image stays one file.
  loader: { '.sh': 'text' },
  logLevel: 'warning',
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
writeFileSync(join(outdir, 'package.json'), JSON.stringify({ name: dir.split('/').pop(), private: true, main: 'main.js' }, null, 2) + '\n');
