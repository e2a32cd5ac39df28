export * from './types';
export { ProwLabels, RESERVED_LABELS, isValidLabelValue, sanitizeLabelValue, truncateForLabel } from './labels';
export { PROW_ENV } from './prow-env';
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
export { GoTypes, GO_TYPES_VERSIONS, fieldFor, foldKey, type GoField, type GoStruct, type GoType } from './go-types';
export { encodeGo } from './go-encode';
