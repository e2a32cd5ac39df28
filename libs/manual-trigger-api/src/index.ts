export { createManualTriggerClient, type ManualTriggerClient } from './client';
export { manualTriggerDocument } from './document';
export { isTimeOrDuration } from './params';
export { prowJobOpsRoutes, prowJobSummarySchema, type ProwJobSummary } from './prowjob-ops';
export { manualTriggerRoutes, prowJobName, unknownRoute, type ManualTriggerRoutes } from './routes';
export { jobSummarySchema, prowJobStatusSchema, triggerAnswerSchema, type JobSummary, type ProwJobStatus, type TriggerAnswer } from './schemas';
export { MAX_BASE_REF_BYTES, TRIGGER_TYPES, baseRefProblem, parseTriggerParams, triggerParamsSchema, type TriggerParseResult, type TriggerRequest } from './trigger-request';
