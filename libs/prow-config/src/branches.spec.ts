import { branchAllowed, branchersIntersect } from './branches';

describe('branchAllowed (Prow Brancher.ShouldRun)', () => {
  it.each([
    [{}, 'anything', true],
    [{ branches: ['master'] }, 'master', true],
    [{ branches: ['master'] }, 'not-master-at-all', true], // unanchored, as in Prow
    [{ branches: ['^master$'] }, 'master-2', false],
    [{ branches: ['release-.*'] }, 'release-1.2', true],
    [{ branches: ['release-.*'] }, 'main', false],
    [{ skip_branches: ['^gh-pages$'] }, 'gh-pages', false],
    [{ skip_branches: ['^gh-pages$'] }, 'master', true],
    [{ branches: ['release-.*'], skip_branches: ['release-0\\..*'] }, 'release-0.9', false],
    [{ branches: ['release-.*'], skip_branches: ['release-0\\..*'] }, 'release-1.0', true],
    [{ branches: ['master', 'main'] }, 'main', true],
    [{ branches: ['(?i)^MASTER$'] }, 'master', true],
  ])('%j on %s → %s', (brancher, branch, expected) => {
    expect(branchAllowed(brancher, branch)).toBe(expected);
  });
});

describe('branchersIntersect (Prow Brancher.Intersects)', () => {
  it.each([
    [{}, { branches: ['master'] }, true],
    [{ branches: ['master'] }, { branches: ['master', 'dev'] }, true],
    [{ branches: ['master'] }, { branches: ['dev'] }, false],
    [{ branches: ['master'] }, { skip_branches: ['master'] }, false],
    [{ branches: ['dev'] }, { skip_branches: ['master'] }, true],
    [{ skip_branches: ['a'] }, { skip_branches: ['b'] }, true],
  ])('%j and %j → %s', (a, b, expected) => {
    expect(branchersIntersect(a, b)).toBe(expected);
    expect(branchersIntersect(b, a)).toBe(expected);
  });
});
