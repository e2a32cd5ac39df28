/** Labels and annotations Prow puts on ProwJobs (Prow's `pkg/kube` constants). */
export const ProwLabels = Object.freeze({
  created: 'created-by-prow',
  type: 'prow.k8s.io/type',
  job: 'prow.k8s.io/job',
  org: 'prow.k8s.io/refs.org',
  repo: 'prow.k8s.io/refs.repo',
  baseRef: 'prow.k8s.io/refs.base_ref',
  pull: 'prow.k8s.io/refs.pull',
  id: 'prow.k8s.io/id',
  buildId: 'prow.k8s.io/build-id',
  context: 'prow.k8s.io/context',
  isOptional: 'prow.k8s.io/is-optional',
  eventGuid: 'event-GUID',
});

/** Labels a job config may not set, because Prow sets them (Prow's `decorate.Labels()`). */
export const RESERVED_LABELS: readonly string[] = [ProwLabels.type, ProwLabels.created, ProwLabels.id];

const LABEL_VALUE_MAX = 63;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes' `IsValidLabelValue`. */
export function isValidLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

/** Prow's cut of a long job name or context for its label: first 63 characters, trailing `.`, `_` and `-` trimmed. */
export function truncateForLabel(value: string): string {
  return value.length > LABEL_VALUE_MAX ? trimRight(value.slice(0, LABEL_VALUE_MAX), '._-') : value;
}

/**
 * What Prow does with a label value that is not valid: use the last path element when that is valid
 * (`filepath.Base`), otherwise drop the label (undefined).
 */
export function sanitizeLabelValue(value: string): string | undefined {
  if (isValidLabelValue(value)) return value;
  const base = goBase(value);
  return isValidLabelValue(base) ? base : undefined;
}

/** Go's `filepath.Base`: last element, trailing slashes removed; "" → "."; all slashes → "/". */
function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = trimRight(path, '/');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's `strings.TrimRight`: `text` without the run of `chars` it ends with (a loop: an unanchored `[…]+$` is quadratic). */
function trimRight(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) end--;
  return text.slice(0, end);
}
