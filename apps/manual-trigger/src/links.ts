import type { ProwConfig } from '@ci-stack/prow-config';
import type { ProwJob } from '@ci-stack/prowjob-api';

/** Deck links for a ProwJob, as the original service built them. */
export interface Links {
  status_link: string | null;
  log_link: string | null;
}

/** The Deck base URL: the flag, else the origin of plank's default job URL prefix. */
export function deckBase(flag: string | undefined, config: ProwConfig): string | undefined {
  if (flag) return flag;
  const prefix = config.plank.job_url_prefix_config?.['*'];
  if (!prefix) return undefined;
  try {
    return new URL(prefix).origin;
  } catch {
    return undefined;
  }
}

export function linksFor(base: string | undefined, prowJob: ProwJob): Links {
  if (!base) return { status_link: null, log_link: null };
  const name = encodeURIComponent(prowJob.metadata.name);
  const buildId = prowJob.status?.build_id;
  return {
    status_link: `${base}/prowjob?prowjob=${name}`,
    log_link: buildId ? `${base}/log?job=${encodeURIComponent(prowJob.spec.job)}&id=${encodeURIComponent(buildId)}` : null,
  };
}
