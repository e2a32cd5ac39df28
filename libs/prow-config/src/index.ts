export { branchAllowed, branchersIntersect, runsAgainstAllBranches } from './branches';
export { compileGoRegex, GoRegexpSyntaxError, type GoRegexp } from './go-regexp';
export type { PlankConfig, ProwConfig } from './config-types';
export { JobIndex, type JobFilter, type JobSummary } from './job-index';
export { inspectProwConfig, loadProwConfig, type LoadOptions, type LoadReport, type LoadedProwConfig, type ProwConfigPaths } from './load';
export type { Preset } from './merge';
export { splitRepoKey, type RepoKey } from './repo-key';
export { ConfigLoadError, formatProblem, type ConfigProblem } from './problems';
export { ConfigWatcher, type ConfigWatcherOptions, type WatcherStatus } from './watcher';
