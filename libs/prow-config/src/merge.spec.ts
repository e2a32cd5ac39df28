import { applyDefault } from './merge';

describe('applyDefault with keys that are Object.prototype keys', () => {
  it('fills constructor and __proto__ from the default like any missing field, as own properties', () => {
    const def = JSON.parse('{"constructor":{"a":1},"__proto__":{"b":2},"timeout":"2h"}');
    const merged = applyDefault({ timeout: '1h' }, def) as Record<string, unknown>;
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'constructor', 'timeout']);
    expect(Object.getOwnPropertyDescriptor(merged, 'constructor')?.value).toEqual({ a: 1 });
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ b: 2 });
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged.timeout).toBe('1h');
  });

  it('merges nested objects under those keys when the job sets them too', () => {
    const own = JSON.parse('{"constructor":{"a":1}}');
    const merged = applyDefault(own, JSON.parse('{"constructor":{"a":9,"b":2}}')) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(merged, 'constructor')?.value).toEqual({ a: 1, b: 2 });
  });
});
