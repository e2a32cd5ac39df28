export { ProwJobClient, type ProwJobClientOptions, type WaitResult } from './prowjob-client';
