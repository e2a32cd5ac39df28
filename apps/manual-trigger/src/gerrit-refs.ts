import type { Refs } from '@ci-stack/prowjob-api';
import type { TriggerRequest } from '@ci-stack/manual-trigger-api';

const GERRIT_INSTANCE = /^https?:\/\/[^/\s]+$/;

/** True when the request names a Gerrit repository: org is the instance URL (`https://HOST`), repo its project. */
export function isGerritRequest(req: Pick<TriggerRequest, 'org'>): boolean {
  return GERRIT_INSTANCE.test(req.org);
}

/**
 * The refs Prow's Gerrit adapter fills for a Gerrit repository (org the review host, repo the project, clone URI
 * the instance URL and project, links on the code host: the review host without `-review`).
 */
export function gerritRefs(req: Pick<TriggerRequest, 'org' | 'repo' | 'baseRef' | 'baseSha'>): Refs {
  const instance = new URL(req.org);
  const cloneUri = `${instance.origin}/${req.repo}`;
  const [first, ...rest] = instance.origin.split('.');
  const codeHost = [first.replace(/-review$/, ''), ...rest].join('.');
  const refs: Refs = { org: instance.host, repo: req.repo, base_ref: req.baseRef, clone_uri: cloneUri, repo_link: `${codeHost}/${req.repo}` };
  if (req.baseSha) {
    refs.base_sha = req.baseSha;
    refs.base_link = `${codeHost}/${req.repo}/+/${req.baseSha}`;
  }
  return refs;
}
