export {
  ProwJobClient,
  type JsonPatchOperation,
  type ListQuery,
  type ProwJobClientOptions,
  type ProwJobList,
  type ProwJobPatch,
  type ProwJobWatch,
  type WaitResult,
  type WatchEnd,
  type WatchEvent,
} from './prowjob-client';
