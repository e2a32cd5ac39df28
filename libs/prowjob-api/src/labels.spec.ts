import { labelsAndAnnotationsForSpec } from './build';
import { sanitizeLabelValue, truncateJobNameForLabel } from './labels';

describe('label values as Prow sanitizes them', () => {
  it.each([
    ['fine-value', 'fine-value'],
    ['', ''],
    ['a'.repeat(63), 'a'.repeat(63)],
    ['a'.repeat(64), undefined],
    ['path/to/value', 'value'],
    ['org/repo-name', 'repo-name'],
    ['trailing-', undefined],
    ['has space', undefined],
    ['dir/bad value', undefined],
    ['_leading', undefined],
  ])('%j → %j', (value, expected) => {
    expect(sanitizeLabelValue(value)).toBe(expected);
  });

  it.each([
    ['short', 'short'],
    [`${'a'.repeat(62)}-b`, 'a'.repeat(62)],
    [`${'a'.repeat(61)}.-x`, 'a'.repeat(61)],
    ['a'.repeat(70), 'a'.repeat(63)],
  ])('job name %s is cut for its label to %s', (job, expected) => {
    expect(truncateJobNameForLabel(job)).toBe(expected);
  });

  it('keeps the full job name in the annotation, drops invalid caller labels and lets callers add labels', () => {
    const job = `e2e-${'x'.repeat(70)}`;
    const { labels, annotations } = labelsAndAnnotationsForSpec(
      { type: 'postsubmit', agent: 'kubernetes', job, refs: { org: 'tess', repo: 'tessops', pulls: [{ number: 42, author: 'a', sha: 'b' }] } },
      { team: 'ci', broken: 'not valid!', 'from/path': 'a/b/c' },
      { note: 'full' },
    );
    expect(labels).toEqual({
      'created-by-prow': 'true',
      'prow.k8s.io/type': 'postsubmit',
      'prow.k8s.io/job': job.slice(0, 63),
      'prow.k8s.io/refs.org': 'tess',
      'prow.k8s.io/refs.repo': 'tessops',
      'prow.k8s.io/refs.pull': '42',
      team: 'ci',
      'from/path': 'c',
    });
    expect(annotations).toEqual({ 'prow.k8s.io/job': job, note: 'full' });
  });

  it('periodics carry no refs labels', () => {
    const { labels } = labelsAndAnnotationsForSpec({ type: 'periodic', agent: 'kubernetes', job: 'p', refs: { org: 'o', repo: 'r' } });
    expect(Object.keys(labels)).toEqual(['created-by-prow', 'prow.k8s.io/type', 'prow.k8s.io/job']);
  });
});
