// Go regexp (RE2, via re2js) against JavaScript's RegExp on the patterns real Prow configs use: compile time, and
// matches per second of trigger comments, branch names and changed paths; then the inputs that make a
// backtracking engine take exponential time.
// Usage: npm run bench -- go-regexp
import { compileGoRegex } from '@ci-stack/prow-config';
import { RE2JS } from 're2js';
import { fmt, printTable } from './lib';

/** Each case: a pattern as a config writes it, its JavaScript spelling (undefined when JS cannot express it), inputs. */
const CASES: Array<{ name: string; go: string; js?: RegExp; inputs: string[] }> = [
  {
    name: 'Istio trigger',
    go: '((?m)^/test( | .* )lint,?($|\\s.*))|((?m)^/test( | .* )unit,?($|\\s.*))',
    js: /(^\/test( | .* )lint,?($|\s.*))|(^\/test( | .* )unit,?($|\s.*))/m,
    inputs: ['/test lint', 'LGTM, thanks!\n/test unit', '/test all', `${'a long review comment '.repeat(40)}\n/retest`],
  },
  {
    name: 'Kubernetes trigger',
    go: '(?m)^/test (?:.*? )?pull-kubernetes-e2e-gce(?: .*?)?$',
    js: /^\/test (?:.*? )?pull-kubernetes-e2e-gce(?: .*?)?$/m,
    inputs: ['/test pull-kubernetes-e2e-gce', '/test all', '/retest'],
  },
  {
    name: 'branches (joined list)',
    go: ['^master$', '^main$', '^release-1\\.2[89]$', '^release-1\\.3\\d$', '^feature-.*$'].join('|'),
    js: /^master$|^main$|^release-1\.2[89]$|^release-1\.3\d$|^feature-.*$/,
    inputs: ['master', 'release-1.31', 'release-1.27', 'dependabot/go_modules/golang.org/x/net-0.33.0'],
  },
  {
    name: 'run_if_changed',
    go: '^(cmd|pkg|staging)/.*\\.go$|^go\\.(mod|sum)$|^hack/(verify|update)-.*\\.sh$',
    js: /^(cmd|pkg|staging)\/.*\.go$|^go\.(mod|sum)$|^hack\/(verify|update)-.*\.sh$/,
    inputs: ['pkg/kubelet/kubelet.go', 'docs/README.md', 'hack/verify-golint.sh', 'staging/src/k8s.io/api/core/v1/types.go'],
  },
];

const PATHOLOGICAL: Array<{ name: string; go: string; js: RegExp; input: string }> = [
  { name: '^(\\d+[smh]?)+$ on 1…1x (28 digits)', go: '^(\\d+[smh]?)+$', js: /^(\d+[smh]?)+$/, input: `${'1'.repeat(28)}x` },
  { name: '^(a|a)*$ on a…ab (28 a)', go: '^(a|a)*$', js: /^(a|a)*$/, input: `${'a'.repeat(28)}b` },
];

function perSecond(fn: () => void, ms = 300): number {
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return (n * 1000) / (performance.now() - started);
}

function timeOnce(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

RE2JS.compile('warm-up');
const rows = CASES.map(({ name, go, js, inputs }) => {
  // Distinct variants, as a config's generated triggers are: each compiles anew.
  const compileUs = fmt((timeOnce(() => { for (let i = 0; i < 200; i++) RE2JS.compile(`${go}|x${i}`); }) * 1000) / 200);
  const re = compileGoRegex(go);
  const re2 = perSecond(() => inputs.forEach((s) => re.test(s))) * inputs.length;
  const native = js ? perSecond(() => inputs.forEach((s) => js.test(s))) * inputs.length : NaN;
  return { pattern: name, 'RE2 compile µs': compileUs, 'RE2 matches/s': fmt(re2), 'RegExp matches/s': fmt(native), 'RegExp ÷ RE2': fmt(native / re2, 1) };
});
printTable('matching real patterns (one CPU, this process)', rows);

printTable(
  'inputs that make a backtracking engine take exponential time',
  PATHOLOGICAL.map(({ name, go, js, input }) => ({ case: name, 'RE2 ms': fmt(timeOnce(() => compileGoRegex(go).test(input)), 3), 'RegExp ms': fmt(timeOnce(() => js.test(input)), 1) })),
);
