// The scanner must give js-yaml's very events or give up: checked on hand-picked edge cases, on many random
// documents built from the pieces YAML configs are made of, and on whole configs (generated ones, the golden
// cases, and kubernetes/test-infra's sample in the integration fixtures).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvents, type Event } from 'js-yaml';
import { scanPlainYaml } from './plain-yaml';
import { generateProwConfig } from './testing';

function jsYaml(text: string): Event[] | 'refused' {
  try {
    return parseEvents(text, {});
  } catch {
    return 'refused';
  }
}

/** The scanner's events are js-yaml's, or it gave up; returns whether it gave its own. */
function agrees(text: string): boolean {
  const ours = scanPlainYaml(text);
  if (ours === undefined) return false;
  expect({ text, events: ours }).toEqual({ text, events: jsYaml(text) });
  return true;
}

const ACCEPTED = [
  'a: 1\n',
  'a: 1',
  'a:\n',
  'a:',
  'a:\nb: 2\n',
  '# head\n\na: b # tail\n  # indented comment after a key\nc: d\n',
  'a:\n  b:\n    c: d\n  e: f\ng: h\n',
  'a:\n- x\n- y\nb: z\n',
  'a:\n  - x\n  -   y   \n',
  'a:\n- name: x\n  value: "y"\n- name: z\n',
  'a:\n-\n  name: x\n- \n- - p\n  - q\n',
  "a: 'it''s'\nb: \"\\t\\u00e9\\x41\"\nc: \"plain\"\n'd': 1\n\"e\" : 2\n",
  'a: [x, "y", \'z\']\nb: []\nc: {}\nd: [ x y , z, ]\n',
  'a: |\n  line 1\n\n  line 3\nb: >-\n    folded\n    text\n\nc: |+\n  kept\n\n\nd: |2\n    extra\n',
  'a: |\n  trailing spaces at the end\n   ',
  'a: |\n  no newline at the end',
  'a: | # comment\n  x\nb: |\nc: 1\n',
  'a:\n  b: |-\n    x\n  c: y\n',
  'url: http://example.com:8080/x\nk8s.io/test-infra: v\nratio: 1:2\n',
  'a: value#not-a-comment\nb: -1\nc: --flag=x\nd: ~\n',
  'a:\n  b\n',
  '---\na: 1\n',
  '# head\n--- # comment\n\na: 1\n',
];

const REFUSED_OR_GIVEN_UP = [
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  '? a\n: b\n',
  'a: b\n  c\n',
  'a: "x\n  y"\n',
  'a:\tb\n',
  'a: b\r\nc: d\r\n',
  '--- a: 1\n',
  '---\na: 1\n---\nb: 2\n',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  '- a\n- b\n',
  '  a: 1\n',
  'a: b: c\n',
  'a: - b\n',
  'a: 1\n  b: 2\n',
  'a:\n  - x\n - y\n',
  'a: [x, {y: 1}]\n',
  'a: [x,\n  y]\n',
  'a: {b: 1}\n',
  'a: "\\q"\n',
  'a: "x"y\n',
  'a: x\n- y\n',
  'a: |0\n  x\n',
  'a: |\n\n     \n  x\n',
  'a: 1\n     # a comment deeper than the value continues it\nb: 2\n',
  '\ufeffa: 1\n',
  'e: -\n',
];

describe('scanPlainYaml', () => {
  it.each(ACCEPTED.map((t) => [JSON.stringify(t), t]))('gives js-yaml’s events for %s', (_, text) => {
    expect(agrees(text)).toBe(true);
  });

  it.each(REFUSED_OR_GIVEN_UP.map((t) => [JSON.stringify(t), t]))('gives up on %s', (_, text) => {
    expect(agrees(text)).toBe(false);
  });

  it('agrees with js-yaml or gives up on random documents', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 16) % n;
    };
    const pick = <T>(items: T[]): T => items[rand(items.length)];
    const pieces = ['a: 1', 'b:', 'c: x y', '- p', '- k: v', '-', 'd: |', 'e: >-', 'f: "q"', "g: 'r''s'", 'h: [s, t]', 'i: {}', '# c', '', ' ', 'j: x # c', 'k: "a": b', 'l:x', 'm: -', '? n', ': o', 'text', '"k": v', '- - z', 'p: |+', 'q: |2', '---', '...', '--- # c', 'r: [a, "b\\tc", ]', "s: 'x' # c", '"t" : [ ]'];
    let given = 0;
    for (let doc = 0; doc < 20000; doc++) {
      const lines = Array.from({ length: 1 + rand(8) }, () => ' '.repeat(pick([0, 0, 1, 2, 2, 4, 6])) + pick(pieces));
      const text = lines.join('\n') + pick(['\n', '', '\n\n', '\n  ']);
      if (agrees(text)) given++;
    }
    expect(given).toBeGreaterThan(500); // the scanner takes a good share, not just the trivial ones
  }, 60_000);

  describe('on whole configs', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'plain-yaml-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('takes every file of a generated config', async () => {
      const paths = await generateProwConfig({ dir, jobs: 300, seed: 5 });
      const entries = await readdir(paths.jobConfigPath, { recursive: true, withFileTypes: true });
      const files = [paths.configPath, ...entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))];
      for (const file of files) expect({ file, taken: agrees(await readFile(file, 'utf8')) }).toEqual({ file, taken: true });
    }, 60_000);

    const corpora = [join(__dirname, '__golden__', 'go-reading'), join(__dirname, '..', '..', '..', 'tests', 'integration', 'fixtures', 'test-infra')];
    it.each(corpora.filter(existsSync))('agrees with js-yaml on every file in %s', (root) => {
      const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
      expect(files.length).toBeGreaterThan(10);
      for (const file of files) agrees(readFileSync(join(root, file), 'utf8'));
    }, 60_000);
  });
});
