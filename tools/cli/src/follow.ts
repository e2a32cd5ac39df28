import { ApiError, UnreachableError } from '@ci-stack/http-contract';
import type { Context } from './context';

/** What following needs from a ProwJob, whether it came from an event or a status read. */
interface JobView {
  job_name: string;
  state: string;
  build_id: string | null;
  description: string | null;
  log_link: string | null;
}

export const ENDED_STATES: readonly string[] = ['success', 'failure', 'aborted', 'error'];

/** A followed ProwJob ended in another state than success (exit code 1). */
export class JobFailedError extends Error {}

const RECONNECTS = 5;

/**
 * Prints a ProwJob's state changes until it ends, from its event stream (resuming with Last-Event-ID when the
 * connection drops); against a manual-trigger without the stream, by reading its status every `pollMs`.
 * Returns the final state; throws JobFailedError when that is not success.
 */
export async function follow(ctx: Context, name: string, pollMs: number): Promise<string> {
  const client = ctx.manualTrigger();
  const report = reporter(ctx);
  let final = await fromEvents(ctx, name, report);
  while (final === undefined) {
    const status = await client.call('prowjob', { name });
    report(status);
    if (ENDED_STATES.includes(status.state)) final = status.state;
    else await ctx.sleep(pollMs);
  }
  if (final !== 'success') throw new JobFailedError(`ProwJob ${name} ended ${final}`);
  return final;
}

/** The final state from the event stream; undefined when the service has none (or said the job had ended). */
async function fromEvents(ctx: Context, name: string, report: (view: JobView) => void): Promise<string | undefined> {
  const client = ctx.manualTrigger();
  const seen: { lastEventId?: string } = {};
  for (let attempt = 0; attempt <= RECONNECTS; attempt++) {
    try {
      return await readStream(client.stream('events', { name }, { lastEventId: seen.lastEventId }), name, report, seen);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'NOT_FOUND') return undefined; // no event stream here: poll
      if (!(err instanceof UnreachableError) || attempt === RECONNECTS) throw err;
      await ctx.sleep(1000);
    }
  }
  return undefined;
}

async function readStream(
  events: AsyncIterable<{ id?: string; event: string; data: JobView & { ended: boolean } }>,
  name: string,
  report: (view: JobView) => void,
  seen: { lastEventId?: string },
): Promise<string | undefined> {
  for await (const event of events) {
    seen.lastEventId = event.id ?? seen.lastEventId;
    if (event.event === 'deleted') throw new JobFailedError(`ProwJob ${name} was deleted before it ended`);
    report(event.data);
    if (event.data.ended) return event.data.state;
  }
  // The stream closed before the end (a 204 means it had already ended): a fresh status read decides.
  return undefined;
}

/** One line per state change: human by default, one JSON object per line with `-o json`. */
function reporter(ctx: Context): (view: JobView) => void {
  let last = '';
  return (view) => {
    const key = `${view.state}|${view.build_id}|${view.description}`;
    if (key === last) return;
    last = key;
    if (ctx.settings.output === 'json') return ctx.io.out(`${JSON.stringify(view)}\n`);
    const parts = [view.job_name, view.state, view.build_id && `build ${view.build_id}`, view.description, view.log_link && `log: ${view.log_link}`];
    ctx.io.out(`${parts.filter(Boolean).join('  ')}\n`);
  };
}
