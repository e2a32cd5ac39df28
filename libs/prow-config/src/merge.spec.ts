import type { DecorationConfig } from '@ci-stack/prowjob-api';
import { applyDecorationDefault } from './merge';

describe('decoration defaults with keys that are Object.prototype keys', () => {
  it('merges media types named constructor and __proto__ as own properties, the default winning as in Prow', () => {
    const own = { gcs_configuration: { bucket: 'b', mediaTypes: JSON.parse('{"constructor":"text/own","x":"text/x"}') } } as DecorationConfig;
    const def = { gcs_configuration: { bucket: 'd', mediaTypes: JSON.parse('{"__proto__":"text/plain","constructor":"text/def"}') } } as DecorationConfig;
    const merged = applyDecorationDefault(own, def) as { gcs_configuration: { bucket: string; mediaTypes: Record<string, unknown> } };
    const types = merged.gcs_configuration.mediaTypes;
    expect(Object.keys(types).sort()).toEqual(['__proto__', 'constructor', 'x']);
    expect(Object.getOwnPropertyDescriptor(types, '__proto__')?.value).toBe('text/plain');
    expect(Object.getOwnPropertyDescriptor(types, 'constructor')?.value).toBe('text/def');
    expect(Object.getPrototypeOf(types)).toBe(Object.prototype);
    expect(merged.gcs_configuration.bucket).toBe('b');
  });
});
