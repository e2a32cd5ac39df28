export * from './types';
export { JOB_ANNOTATION, ProwLabels, RESERVED_LABELS, isValidLabelValue, sanitizeLabelValue, truncateJobNameForLabel } from './labels';
export {
  completePrimaryRefs,
  formatTime,
  labelsAndAnnotationsForSpec,
  newProwJob,
  periodicSpec,
  postsubmitSpec,
  presubmitLabels,
  presubmitSpec,
  type NewProwJobOptions,
} from './build';
