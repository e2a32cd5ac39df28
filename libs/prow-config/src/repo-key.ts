/** A job file's repository key split as Prow's refs name it. */
export interface RepoKey {
  org: string;
  repo: string;
}

const GITHUB_KEY = /^([^/\s]+)\/([^/\s]+)$/;
// Prow's Gerrit adapter keys a repository by its Gerrit instance and project: https://HOST/PATH.
const GERRIT_KEY = /^(https?:\/\/[^/\s]+)\/([^\s]+[^/\s])$/;

/**
 * `org/repo`, or a Gerrit repository `https://HOST/PATH`, whose refs carry the instance URL as org and the
 * project path as repo (as Prow's Gerrit adapter fills them); undefined for anything else.
 */
export function splitRepoKey(key: string): RepoKey | undefined {
  const match = GERRIT_KEY.exec(key) ?? GITHUB_KEY.exec(key);
  return match ? { org: match[1], repo: match[2] } : undefined;
}
