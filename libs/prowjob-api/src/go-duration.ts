// Prow's durations in Go's text forms; the one implementation lives in core.
export { canonicalGoDuration, formatGoDuration, parseGoDuration } from '@ci-stack/core';
