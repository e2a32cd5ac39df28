// Bundles one app or tool into dist/<dir>/main.js with esbuild. Everything, including the ESM-only Kubernetes
// client, is bundled into one CommonJS file, so a container image needs nothing but that file and Node.
// With --bin the file starts with a shebang and is executable (a command on PATH, e.g. the ci-stack CLI);
// --outdir=DIR writes elsewhere than dist/<dir> (tests that must not race another suite's build).
import { build } from 'esbuild';
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [dir, ...flags] = process.argv.slice(2);
const bin = flags.includes('--bin');
const outdirFlag = flags.find((f) => f.startsWith('--outdir='));
if (!dir || flags.some((f) => f !== '--bin' && f !== outdirFlag)) {
  console.error('usage: build-app.mjs <apps/NAME|tools/NAME> [--bin] [--outdir=DIR]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const outdir = outdirFlag ? resolve(outdirFlag.slice('--outdir='.length)) : join(root, 'dist', dir);
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
  ...(bin ? { banner: { js: '#!/usr/bin/env node' } } : {}),
});
if (bin) chmodSync(join(outdir, 'main.js'), 0o755);
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
writeFileSync(join(outdir, 'package.json'), JSON.stringify({ name: dir.split('/').pop(), private: true, main: 'main.js' }, null, 2) + '\n');
