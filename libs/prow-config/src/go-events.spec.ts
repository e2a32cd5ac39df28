// The fast decoder (decodeEvents, straight from the parser's events) must make of every file what the generic
// path (objects first, then decodeGo) makes of it. The golden cases in go-reading.spec.ts check both against Go;
// this checks them against each other on whole generated configs, and that the fast path is the one taken.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoTypes, encodeGo } from '@ci-stack/prowjob-api';
import { parseEvents } from 'js-yaml';
import { decodeGo, type DecodeProblem } from './go-decode';
import { decodeEvents } from './go-events';
import { constructYaml } from './parse';
import { generateProwConfig, writeShapeConfig, type ConfigShape } from './testing';

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

function bothWays(file: string, text: string): { fast?: unknown; generic: unknown; fastProblems: DecodeProblem[]; genericProblems: DecodeProblem[] } {
  const type = file.endsWith('config.yaml') ? GoTypes.config : GoTypes.jobConfig;
  const events = parseEvents(text, {});
  const fastProblems: DecodeProblem[] = [];
  const fast = decodeEvents(text, events, type, fastProblems);
  const genericProblems: DecodeProblem[] = [];
  const data = constructYaml(file, text, events, []);
  const generic = encodeGo(decodeGo(data, type, genericProblems), type);
  return { fast: fast && encodeGo(fast.value, type), generic, fastProblems, genericProblems };
}

describe('decoding from parser events', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'go-events-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives what the generic path gives on a generated config, and is taken for every file', async () => {
    const paths = await generateProwConfig({ dir: join(dir, 'generated'), jobs: 300, seed: 3 });
    const files = [paths.configPath, ...(await yamlFiles(paths.jobConfigPath))];
    for (const file of files) {
      const both = bothWays(file, await readFile(file, 'utf8'));
      expect({ file, fast: both.fast }).toEqual({ file, fast: both.generic });
      expect(both.fastProblems).toEqual(both.genericProblems);
    }
  }, 60_000);

  const shapes: ConfigShape[] = ['preset-order', 'decoration-entries', 'decoration-map', 'zero-values', 'key-case'];
  it.each(shapes)('gives what the generic path gives, or gives up, on the %s shape', async (shape) => {
    const paths = await writeShapeConfig(join(dir, shape), shape);
    for (const file of [paths.configPath, ...(await yamlFiles(paths.jobConfigPath))]) {
      const both = bothWays(file, await readFile(file, 'utf8'));
      if (both.fast === undefined) continue;
      expect({ file, fast: both.fast }).toEqual({ file, fast: both.generic });
      expect(both.fastProblems).toEqual(both.genericProblems);
    }
  });

  it('gives up on anchors, merge keys, tags and keys matched only case-insensitively', () => {
    const give = (text: string): unknown => decodeEvents(text, parseEvents(text, {}), GoTypes.jobConfig, []);
    expect(give('periodics: &p []\n')).toBeUndefined();
    expect(give('periodics:\n- <<: {name: a}\n  interval: 1h\n')).toBeUndefined();
    expect(give('periodics: !!seq []\n')).toBeUndefined();
    expect(give('Periodics: []\n')).toBeUndefined();
    expect(give('periodics: []\n')).toEqual({ value: { periodics: [] } });
  });
});
