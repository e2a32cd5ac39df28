// Runs one test tier N times while `stress-ng --cpu N` keeps the cores busy, and prints which tests failed how
// often: `npm run test:stress -- --tier unit --runs 5`. A test that fails here fails on a busy CI machine too.
// See docs/testing.md ("Tests under load").
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const usage = `usage: npm run test:stress -- --tier unit|browser|integration [options]
  --runs N          how many times to run the tier (default 3)
  --stress-cpus N   stress-ng --cpu workers beside the tests (default 2; 0 runs without load)
  --parallel N      unit tier: Jest projects run at once (default 2, as npm test runs them)
  --max-workers N   Jest workers per project (default: Jest's own for unit, 1 for browser; integration runs in band)
  --filter REGEX    only test files whose path matches (Jest's testPathPatterns)
  --stop-on-failure stop after the first round with a failure (default: run every round)`;

let args;
try {
  args = parseArgs({
    options: {
      tier: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'stress-cpus': { type: 'string', default: '2' },
      parallel: { type: 'string', default: '2' },
      'max-workers': { type: 'string' },
      filter: { type: 'string' },
      'stop-on-failure': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }).values;
} catch (err) {
  console.error(`${err.message}\n${usage}`);
  process.exit(2);
}
const problems = [];
const count = (name, min) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) problems.push(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(args[name])}`);
  return value;
};
const tiers = ['unit', 'browser', 'integration'];
if (args.help) {
  console.log(usage);
  process.exit(0);
}
if (!tiers.includes(args.tier)) problems.push(`--tier must be one of ${tiers.join(', ')}, got ${JSON.stringify(args.tier ?? '')}`);
const runs = count('runs', 1);
const stressCpus = count('stress-cpus', 0);
const parallel = count('parallel', 1);
const maxWorkers = args['max-workers'] === undefined ? undefined : count('max-workers', 1);
if (problems.length) {
  console.error(`${problems.join('\n')}\n${usage}`);
  process.exit(2);
}

/** The Jest configs of a tier: each project's own for the unit tier, as `nx run-many -t test` runs them. */
function jestConfigs(tier) {
  if (tier === 'integration') return ['jest.integration.config.cjs'];
  if (tier === 'browser') return ['tests/browser/jest.config.cjs'];
  const configs = [];
  for (const group of ['apps', 'libs', 'tools', 'charts']) {
    for (const project of readdirSync(join(root, group))) {
      const config = join(group, project, 'jest.config.cjs');
      if (existsSync(join(root, config))) configs.push(config);
    }
  }
  return configs;
}

function runJest(config, outputFile) {
  const jestArgs = ['jest', '--config', config, '--json', '--outputFile', outputFile, '--silent'];
  // The integration tier shares one API server and plank: always in band (Jest refuses --runInBand beside --maxWorkers).
  if (args.tier === 'integration') jestArgs.push('--runInBand');
  else {
    const workers = maxWorkers ?? (args.tier === 'unit' ? undefined : 1);
    if (workers !== undefined) jestArgs.push('--maxWorkers', String(workers));
  }
  if (args.filter) jestArgs.push('--testPathPatterns', args.filter, '--passWithNoTests');
  return new Promise((done) => {
    const child = spawn('npx', jestArgs, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('close', (code) => done({ code, stderr }));
  });
}

/** Failed tests of one Jest run, as `file › full name`; a suite that failed without a failed test counts itself. */
function failuresOf(outputFile, config, result) {
  if (!existsSync(outputFile)) return [`${config} › (Jest exited ${result.code} without results: ${result.stderr.trim().split('\n').slice(-3).join(' ')})`];
  const report = JSON.parse(readFileSync(outputFile, 'utf8'));
  const failed = [];
  for (const suite of report.testResults) {
    const file = relative(root, suite.name);
    const tests = suite.assertionResults.filter((t) => t.status === 'failed');
    for (const t of tests) failed.push(`${file} › ${t.fullName}`);
    if (!tests.length && suite.status === 'failed') failed.push(`${file} › (suite failed: ${(suite.message ?? '').trim().split('\n')[0]})`);
  }
  if (!failed.length && result.code !== 0) failed.push(`${config} › (Jest exited ${result.code})`);
  return failed;
}

async function runTier(round, dir) {
  const configs = jestConfigs(args.tier);
  const failed = [];
  let next = 0;
  const worker = async () => {
    while (next < configs.length) {
      const config = configs[next++];
      const outputFile = join(dir, `${round}-${config.replaceAll('/', '_')}.json`);
      const result = await runJest(config, outputFile);
      failed.push(...failuresOf(outputFile, config, result));
    }
  };
  await Promise.all(Array.from({ length: args.tier === 'unit' ? parallel : 1 }, worker));
  return failed;
}

if (stressCpus > 0 && spawnSync('stress-ng', ['--version']).status !== 0) {
  console.error('test:stress: stress-ng is not installed (Debian: apt-get install stress-ng)');
  process.exit(2);
}
spawnSync('bash', [join(root, 'scripts/ensure-deps.sh'), '--test'], { stdio: 'inherit', cwd: root });
const stress = stressCpus > 0 ? spawn('stress-ng', ['--cpu', String(stressCpus), '--quiet'], { stdio: 'ignore' }) : undefined;
const stopStress = () => stress?.kill('SIGTERM');
process.on('SIGINT', () => {
  stopStress();
  process.exit(130);
});
process.on('exit', stopStress);

const dir = mkdtempSync(join(tmpdir(), 'test-stress-'));
const failures = new Map();
const durations = [];
for (let round = 1; round <= runs; round++) {
  const started = Date.now();
  const failed = await runTier(round, dir);
  durations.push((Date.now() - started) / 1000);
  for (const name of new Set(failed)) failures.set(name, (failures.get(name) ?? 0) + 1);
  console.log(`round ${round}/${runs}: ${failed.length ? `${failed.length} failed` : 'passed'} in ${durations.at(-1).toFixed(0)} s`);
  if (failed.length && args['stop-on-failure']) break;
}
stopStress();
rmSync(dir, { recursive: true, force: true });

const load = stressCpus > 0 ? `beside stress-ng --cpu ${stressCpus}` : 'without load';
console.log(`\n${args.tier} tier, ${durations.length} round(s) ${load}, ${args.tier === 'unit' ? `parallel ${parallel}, ` : ''}max workers ${maxWorkers ?? 'default'}`);
console.log(`durations (s): ${durations.map((d) => d.toFixed(0)).join(', ')}`);
if (!failures.size) {
  console.log('no test failed');
  process.exit(0);
}
console.log('failed (times out of rounds):');
for (const [name, times] of [...failures].sort((a, b) => b[1] - a[1])) console.log(`  ${times}/${durations.length}  ${name}`);
process.exit(1);
