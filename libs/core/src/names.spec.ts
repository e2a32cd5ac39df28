import { checkDnsLabel } from './names';

describe('DNS-1123 labels', () => {
  it.each([
    ['cluster-01', undefined],
    ['Bad_Name', 'cluster "Bad_Name" must be a DNS-1123 label'],
    ['-x', 'cluster "-x" must be a DNS-1123 label'],
    ['constructor', undefined],
    ['a'.repeat(63), undefined],
    ['a'.repeat(64), 'cluster must be at most 63 characters, got 64'],
  ])('%s', (name, problem) => {
    const found = checkDnsLabel('cluster', name);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});
