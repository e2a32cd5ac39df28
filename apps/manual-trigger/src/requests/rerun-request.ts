import { prowJobOpsRoutes } from '@ci-stack/manual-trigger-api';
import { valid } from '../http-body';
import { mergeFields } from './fields';

export type RerunMode = 'original' | 'latest';

/** `POST /prowjobs/NAME/rerun?mode=latest|original`; without a mode, `original` (as Deck's rerun). */
export function parseRerunRequest(query: Record<string, unknown>, body: unknown): { mode: RerunMode } {
  const { mode } = valid(prowJobOpsRoutes.rerun.params, mergeFields(query, body));
  return { mode: (mode?.trim() as RerunMode | undefined) ?? 'original' };
}
