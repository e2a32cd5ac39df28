// Our reading of YAML into Prow's Go types against Prow's own: __golden__/go-reading/expected.json holds what
// Prow's Go code (sigs.k8s.io/yaml into config.JobConfig or config.Config) makes of each case file there.
// Refresh it with: (cd tools/go-reference && go run ./golden ../../libs/prow-config/src/__golden__/go-reading > ../../libs/prow-config/src/__golden__/go-reading/expected.json)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GoTypes, canonicalQuantity, encodeGo, fieldFor, type GoType } from '@ci-stack/prowjob-api';
import { decodeGo, formatFloat32, goDurationString, type DecodeProblem } from './go-decode';
import { parseEvents } from 'js-yaml';
import { constructYaml, readYaml } from './parse';

const DIR = join(__dirname, '__golden__', 'go-reading');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, { json?: unknown; error?: string }> & {
  scalars: Record<'durations' | 'quantities' | 'floats', Record<string, string>>;
};

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

function fieldType(name: string): GoType {
  return fieldFor(GoTypes.config, name)!.type;
}

/**
 * What we make of a case, Go's JSON of what was read or the problems: through the loader's reading (decoding
 * the parser's events when the YAML is plain), or through the generic objects, which must give the same.
 */
function read(file: string, generic = false): { json?: unknown; problems: DecodeProblem[] } {
  const problems: DecodeProblem[] = [];
  const text = readFileSync(join(DIR, file), 'utf8');
  const type = file.startsWith('config-') ? GoTypes.config : GoTypes.jobConfig;
  let decoded: Record<string, unknown> | undefined;
  if (generic) {
    const data = constructYaml(file, text, parseEvents(text, {}), []);
    decoded = data && (decodeGo(data, type, problems) as Record<string, unknown>);
  } else decoded = readYaml(file, text, type, [], problems)?.doc;
  if (!decoded) return { problems: [{ path: [], message: 'unparsable' }] };
  if (!file.startsWith('config-')) return { json: encodeGo(decoded, GoTypes.jobConfig), problems };
  const json = Object.fromEntries(['plank', 'presets', 'pod_namespace', 'periodics'].map((k) => [k, encodeGo(decoded[k], fieldType(k))]));
  return { json, problems };
}

const cases = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe("reading YAML into Prow's Go types, as Prow's Go code does", () => {
  it('has a Go answer for every case', () => {
    expect(cases.filter((c) => !(c in expected))).toEqual([]);
  });

  it.each(cases.filter((c) => expected[c]?.error === undefined))('%s', (file) => {
    for (const generic of [false, true]) {
      const ours = read(file, generic);
      expect(ours.problems).toEqual([]);
      expect(withoutNulls(ours.json)).toEqual(withoutNulls(expected[file].json));
    }
  });

  it.each(cases.filter((c) => expected[c]?.error !== undefined))('%s is refused, as Go refuses it', (file) => {
    expect(read(file).problems).not.toEqual([]);
    expect(read(file, true).problems).toEqual(read(file).problems);
  });
});

describe("scalars printed as Go prints them", () => {
  it.each(Object.entries(expected.scalars.durations))('duration %j → %s', (input, go) => {
    expect(goDurationString(input) ?? 'error').toBe(go);
  });
  it.each(Object.entries(expected.scalars.quantities))('quantity %j → %s', (input, go) => {
    expect(canonicalQuantity(input) ?? 'error').toBe(go);
  });
  it.each(Object.entries(expected.scalars.floats))('float32 %s → %s', (input, go) => {
    expect(formatFloat32(Number(input))).toBe(go);
  });
});
