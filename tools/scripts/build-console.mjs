// Bundles a web console (apps/<name>-console) with esbuild into static files that its service serves at /ui/:
// one script and one stylesheet with content hashes in their names, and an index.html that loads them. Nothing is
// fetched from elsewhere at run time, and nothing inline, so the service's strict Content-Security-Policy holds.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const [dir, out, ...flags] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: build-console.mjs <apps/NAME-console> <outdir> [--title=TITLE]');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '../..');
const outdir = resolve(root, out);
const title = flags.find((f) => f.startsWith('--title='))?.slice('--title='.length) ?? basename(dir);
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: { console: join(root, dir, 'src/main.tsx') },
  outdir,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  tsconfig: join(root, dir, 'tsconfig.json'),
  legalComments: 'linked',
  logLevel: 'warning',
});

// The consoles import their service's contract for its types only: its code (and zod) must not reach the browser.
const leaked = Object.keys(result.metafile.inputs).filter((p) => /(^|\/)node_modules\/zod\/|libs\/(http-contract|cimaster-api|manual-trigger-api)\//.test(p));
if (leaked.length) throw new Error(`the console bundle contains server-side code (import types only): ${leaked.slice(0, 5).join(', ')}`);
const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const script = outputs.find((f) => /^console-[A-Z0-9]{8}\.js$/.test(f));
const style = outputs.find((f) => /^console-[A-Z0-9]{8}\.css$/.test(f));
if (!script || !style) throw new Error(`the console build wrote no script or stylesheet: ${outputs.join(', ')}`);
writeFileSync(
  join(outdir, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${style}">
<script type="module" src="${script}"></script>
</head>
<body>
<noscript>This console needs JavaScript. The API answers without it: see the service's documentation.</noscript>
<div id="app"></div>
</body>
</html>
`,
);
writeFileSync(join(outdir, '.meta.json'), JSON.stringify(result.metafile));
