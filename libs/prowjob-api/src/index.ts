export * from './types';
export { ProwLabels, RESERVED_LABELS, isValidLabelValue, sanitizeLabelValue, truncateForLabel } from './labels';
export {
  completePrimaryRefs,
  formatTime,
  labelsAndAnnotationsForSpec,
  newProwJob,
  periodicSpec,
  postsubmitSpec,
  presubmitSpec,
  type NewProwJobOptions,
} from './build';
export { canonicalGoDuration, formatGoDuration, parseGoDuration } from './go-duration';
export { canonicalQuantity } from './quantity';
