// Bundles one benchmark (bench/<name>.bench.ts) with esbuild and runs it: `npm run bench -- <name>`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const names = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
const wanted = process.argv[2];
if (!wanted || !names.includes(wanted)) {
  console.error(`usage: npm run bench -- <${names.join('|')}> [args]`);
  process.exit(2);
}
// The services run from the same bundles the images ship.
for (const app of ['apps/manual-trigger', 'apps/cimaster', 'tools/check-config']) {
  const built = spawnSync(process.execPath, [join(root, 'tools/scripts/build-app.mjs'), app], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  if (!app.startsWith('apps/')) continue;
  // Each service with its console beside it, as the images ship them.
  const name = app.split('/')[1];
  const ui = spawnSync(process.execPath, [join(root, 'tools/scripts/build-console.mjs'), `${app}-console`, join('dist', app, 'ui'), `--title=${name}`], { stdio: 'inherit', cwd: root });
  if (ui.status !== 0) process.exit(ui.status ?? 1);
}
const out = join(root, 'dist', 'bench');
for (const entry of [`${wanted}.bench`, 'noop-server', 'fake-kube-api']) {
  await build({ entryPoints: [join(root, 'bench', `${entry}.ts`)], outfile: join(out, `${entry}.js`), bundle: true, platform: 'node', target: 'node20', format: 'cjs', tsconfig: join(root, 'tsconfig.base.json'), logLevel: 'warning', external: ['playwright-core'] });
}
const res = spawnSync(process.execPath, ['--expose-gc', join(out, `${wanted}.bench.js`), ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(res.status ?? 1);
