// Builds both services and their consoles into a directory of this run (as the images ship them: main.js with
// ui/ beside it), so a suite never races another's build of dist/.
const { execFileSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

module.exports = async () => {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'browser-dist-'));
  for (const app of ['cimaster', 'manual-trigger']) {
    const out = path.join(dist, app);
    execFileSync(process.execPath, [path.join(root, 'tools/scripts/build-app.mjs'), `apps/${app}`, `--outdir=${out}`], { cwd: root, stdio: 'inherit' });
    execFileSync(process.execPath, [path.join(root, 'tools/scripts/build-console.mjs'), `apps/${app}-console`, path.join(out, 'ui'), `--title=${app}`], { cwd: root, stdio: 'inherit' });
  }
  process.env.BROWSER_TEST_DIST = dist;
};
