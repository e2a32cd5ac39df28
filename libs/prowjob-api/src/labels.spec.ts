import { labelsAndAnnotationsForSpec } from './build';
import { sanitizeLabelValue, truncateForLabel } from './labels';

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
    expect(truncateForLabel(job)).toBe(expected);
  });

  it('keeps the full job name in the annotation, drops invalid caller labels and lets callers add labels', () => {
    const job = `e2e-${'x'.repeat(70)}`;
    const { labels, annotations } = labelsAndAnnotationsForSpec(
      { type: 'postsubmit', agent: 'kubernetes', job, context: job, refs: { org: 'tess', repo: 'tessops', base_ref: 'release/1.2', pulls: [{ number: 42, author: 'a', sha: 'b' }] } },
      { team: 'ci', broken: 'not valid!', 'from/path': 'a/b/c' },
      { note: 'full' },
    );
    expect(labels).toEqual({
      'created-by-prow': 'true',
      'prow.k8s.io/type': 'postsubmit',
      'prow.k8s.io/job': job.slice(0, 63),
      'prow.k8s.io/context': job.slice(0, 63),
      'prow.k8s.io/refs.org': 'tess',
      'prow.k8s.io/refs.base_ref': '1.2', // "release/1.2" is not a valid label value; its last path element is
      'prow.k8s.io/refs.repo': 'tessops',
      'prow.k8s.io/refs.pull': '42',
      team: 'ci',
      'from/path': 'c',
    });
    expect(annotations).toEqual({ 'prow.k8s.io/job': job, 'prow.k8s.io/context': job, note: 'full' });
  });

  it('takes refs labels from the first extra ref when there are no refs; an empty context stays', () => {
    const { labels, annotations } = labelsAndAnnotationsForSpec({ type: 'periodic', agent: 'kubernetes', job: 'p', extra_refs: [{ org: 'o', repo: 'r', base_ref: 'main' }, { org: 'x', repo: 'y' }] });
    expect(labels).toEqual({
      'created-by-prow': 'true',
      'prow.k8s.io/type': 'periodic',
      'prow.k8s.io/job': 'p',
      'prow.k8s.io/context': '',
      'prow.k8s.io/refs.org': 'o',
      'prow.k8s.io/refs.repo': 'r',
      'prow.k8s.io/refs.base_ref': 'main',
    });
    expect(annotations).toEqual({ 'prow.k8s.io/job': 'p', 'prow.k8s.io/context': '' });
  });
});
