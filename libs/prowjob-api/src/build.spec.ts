import { newProwJob } from './build';
import type { ProwJobSpec } from './types';

describe('copying a job spec', () => {
  it('keeps a key named __proto__ (YAML and JSON make it an own key) as an own key of the copy', () => {
    const spec = JSON.parse('{"type":"periodic","job":"j","agent":"kubernetes","pod_spec":{"nodeSelector":{"__proto__":"a","constructor":"b"},"containers":[]}}') as ProwJobSpec;
    const selector = newProwJob(spec, {}, {}, { name: 'x', now: new Date(0) }).spec.pod_spec?.nodeSelector as Record<string, unknown>;
    expect(Object.keys(selector)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(selector)).toBe(Object.prototype);
    expect(JSON.stringify(selector)).toBe('{"__proto__":"a","constructor":"b"}');
  });
});

describe('labels', () => {
  it('keeps caller labels named __proto__ and constructor as own labels', () => {
    const spec = { type: 'periodic', job: 'j', agent: 'kubernetes' } as ProwJobSpec;
    const { labels } = newProwJob(spec, JSON.parse('{"__proto__":"a","constructor":"b"}'), {}, { name: 'x', now: new Date(0) }).metadata;
    expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('a');
    expect(labels?.constructor).toBe('b');
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });
});
