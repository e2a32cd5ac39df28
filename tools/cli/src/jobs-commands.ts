import { Command, Option } from 'commander';
import { TRIGGER_TYPES, type JobSummary, type ProwJobSummary, type TriggerAnswer } from '@ci-stack/manual-trigger-api';
import { PROWJOB_STATES, PROWJOB_TYPES } from '@ci-stack/prowjob-api';
import { parseDuration } from '@ci-stack/core';
import type { Context } from './context';
import { follow } from './follow';
import { fields, table, when, type Column } from './output';
import { UsageError } from './settings';

const LIST_COLUMNS: Array<Column<ProwJobSummary>> = [
  ['name', (j) => j.job_name],
  ['job', (j) => j.job],
  ['type', (j) => j.type],
  ['state', (j) => j.state],
  ['build', (j) => j.build_id],
  ['started', (j) => when(j.start_time)],
  ['by', (j) => j.triggered_by],
];

const CATALOG_COLUMNS: Array<Column<JobSummary>> = [
  ['type', (j) => j.type],
  ['name', (j) => j.name],
  ['repo', (j) => (j.org ? `${j.org}/${j.repo}` : undefined)],
  ['branches', (j) => j.branches?.join(',')],
  ['schedule', (j) => j.schedule],
  ['cluster', (j) => j.cluster],
];

interface FilterFlags {
  job?: string;
  state?: string;
  type?: string;
  org?: string;
  repo?: string;
  triggeredBy?: string;
  since?: string;
  all?: boolean;
}

/** The list's filters as flags (also the bulk abort's). */
function withFilters(cmd: Command): Command {
  return cmd
    .option('--job <name>', 'only this job')
    .addOption(new Option('--state <state>', 'only ProwJobs in this state').choices(PROWJOB_STATES))
    .addOption(new Option('--type <type>', 'only ProwJobs of this type').choices(PROWJOB_TYPES))
    .option('--org <org>', 'only this organisation')
    .option('--repo <repo>', 'only this repository')
    .option('--triggered-by <identity>', 'only ProwJobs this identity triggered')
    .option('--since <time>', 'created at or after: an RFC 3339 time or a duration back (24h)')
    .option('--all', 'every ProwJob in the namespace, not only those manual-trigger created');
}

function filterParams(f: FilterFlags): Record<string, string | boolean | undefined> {
  return { job: f.job, state: f.state, type: f.type, org: f.org, repo: f.repo, triggered_by: f.triggeredBy, since: f.since, all: f.all };
}

function created(a: TriggerAnswer & { dropped_env?: string[] }): string {
  return fields([
    ['prowjob', a.job_name],
    ['job', `${a.job} (${a.type})`],
    ['state', a.state],
    ['build', a.build_id],
    ['status', a.status_link],
    ['log', a.log_link],
    // A rerun's: the old run's env overrides --allowed-env no longer allows.
    ...(a.dropped_env?.length ? [['dropped env', `${a.dropped_env.join(', ')} (no longer allowed)`] as [string, string]] : []),
  ]);
}

function pollInterval(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(`--poll-interval must be a duration like 2s, got ${JSON.stringify(text)}`);
}

/** Starts following after a trigger or rerun; with `-o json` every line is one JSON object. */
async function answerAndMaybeFollow(ctx: Context, a: TriggerAnswer & { dropped_env?: string[] }, opts: { follow?: boolean; pollInterval: string }): Promise<void> {
  if (!opts.follow) return ctx.print(() => `${a.message}\n${created(a)}`, a);
  ctx.io.out(ctx.settings.output === 'json' ? `${JSON.stringify(a)}\n` : `${a.message}\n${created(a)}`);
  if (a.dry_run) throw new UsageError('--follow needs a manual-trigger that creates ProwJobs (this one runs in dry-run mode)');
  await follow(ctx, a.job_name, pollInterval(opts.pollInterval));
}

/** `ci-stack jobs ...`: manual-trigger's ProwJobs. */
export function jobsCommands(ctx: Context): Command {
  const jobs = new Command('jobs').description('ProwJobs through manual-trigger');

  withFilters(jobs.command('ls').description('list ProwJobs, newest first'))
    .option('--limit <n>', 'page size, 1 to 500', '50')
    .option('--continue <token>', 'the next page, from the previous answer')
    .action(async (opts: FilterFlags & { limit: string; continue?: string }) => {
      const page = await ctx.manualTrigger().call('list', { ...filterParams(opts), limit: opts.limit, continue: opts.continue });
      ctx.print(() => table(LIST_COLUMNS, page.prowjobs) + (page.continue ? `\nmore: ci-stack jobs ls --continue ${page.continue}\n` : ''), page);
    });

  jobs
    .command('catalog')
    .description('the jobs manual-trigger can run')
    .option('--org <org>')
    .option('--repo <repo>')
    .addOption(new Option('--type <type>').choices(PROWJOB_TYPES))
    .action(async (opts: { org?: string; repo?: string; type?: (typeof PROWJOB_TYPES)[number] }) => {
      const catalog = await ctx.manualTrigger().call('jobs', opts);
      ctx.print(() => table(CATALOG_COLUMNS, catalog.jobs), catalog);
    });

  jobs
    .command('trigger')
    .description('run a job of the Prow config')
    .argument('<job>')
    .addOption(new Option('--type <type>', 'how to run it (default: postsubmit with --org, else periodic)').choices(TRIGGER_TYPES))
    .option('--org <org>')
    .option('--repo <repo>')
    .option('--branch <branch>', 'base branch', 'master')
    .option('--pr <number>', 'pull request (presubmit)')
    .option('--base-sha <sha>')
    .option('--pull-sha <sha>')
    .option('--user <name>', 'sets AUTHOR in the job (default: your token identity)')
    .option('--env <NAME=value...>', 'environment overrides the operator allows (repeatable)')
    .option('--idempotency-key <key>', 'retries with the same key return the first ProwJob')
    .option('--follow', 'print its state until it ends; exit 1 unless it succeeds')
    .option('--poll-interval <duration>', 'with --follow, against a manual-trigger without event streams', '2s')
    .action(async (job: string, o: { type?: string; org?: string; repo?: string; branch: string; pr?: string; baseSha?: string; pullSha?: string; user?: string; env?: string[]; idempotencyKey?: string; follow?: boolean; pollInterval: string }) => {
      const type = o.type ?? (o.org ? 'postsubmit' : 'periodic');
      const repoFields = type === 'periodic' ? {} : { org: o.org, repo: o.repo, base_ref: o.branch };
      const body = { prowjob: job, prowtype: type, ...repoFields, pullrequest: o.pr, base_sha: o.baseSha, pull_sha: o.pullSha, user: o.user, env: o.env };
      const headers = o.idempotencyKey ? { 'Idempotency-Key': o.idempotencyKey } : undefined;
      await answerAndMaybeFollow(ctx, await ctx.manualTrigger().call('trigger', body, { headers }), o);
    });

  jobs
    .command('status')
    .description("a ProwJob's state, build id and links")
    .argument('<prowjob>')
    .action(async (name: string) => {
      const s = await ctx.manualTrigger().call('prowjob', { name });
      ctx.print(
        () => fields([['prowjob', s.job_name], ['job', `${s.job} (${s.type})`], ['state', s.state], ['description', s.description], ['build', s.build_id], ['started', when(s.start_time)], ['completed', when(s.completion_time)], ['status', s.status_link], ['log', s.log_link]]),
        s,
      );
    });

  jobs
    .command('follow')
    .description("print a ProwJob's state until it ends; exit 1 unless it succeeds")
    .argument('<prowjob>')
    .option('--poll-interval <duration>', 'against a manual-trigger without event streams', '2s')
    .action(async (name: string, o: { pollInterval: string }) => {
      await follow(ctx, name, pollInterval(o.pollInterval));
    });

  withFilters(jobs.command('abort').description('abort one ProwJob, or every triggered or pending one matching filters'))
    .argument('[prowjob]')
    .option('--older-than <time>', 'bulk: created before (RFC 3339 time or a duration back)')
    .option('--dry-run', 'bulk: only show what would be aborted')
    .option('--reason <text>', 'recorded on the ProwJob')
    .action(async (name: string | undefined, o: FilterFlags & { olderThan?: string; dryRun?: boolean; reason?: string }) => {
      if (name) {
        const a = await ctx.manualTrigger().call('abort', { name, reason: o.reason });
        return ctx.print(() => `${a.message}\n`, a);
      }
      const bulk = await ctx.manualTrigger().call('abortMatching', { ...filterParams(o), older_than: o.olderThan, dry_run: o.dryRun, reason: o.reason });
      ctx.print(
        () => `${bulk.message}\n` + (bulk.aborted.length ? `\n${bulk.dry_run ? 'would abort' : 'aborted'}:\n${table([['name', (j) => j.job_name], ['job', (j) => j.job], ['state', (j) => j.state]], bulk.aborted)}` : '') + (bulk.skipped.length ? `\nskipped:\n${table([['name', (j) => j.job_name], ['job', (j) => j.job], ['why', (j) => j.reason]], bulk.skipped)}` : ''),
        bulk,
      );
    });

  jobs
    .command('rerun')
    .description('run a ProwJob again')
    .argument('<prowjob>')
    .addOption(new Option('--mode <mode>', 'original copies the old spec; latest rebuilds it from the config').choices(['original', 'latest']))
    .option('--idempotency-key <key>', 'retries with the same key return the first rerun')
    .option('--follow', 'print its state until it ends; exit 1 unless it succeeds')
    .option('--poll-interval <duration>', 'with --follow, against a manual-trigger without event streams', '2s')
    .action(async (name: string, o: { mode?: 'original' | 'latest'; idempotencyKey?: string; follow?: boolean; pollInterval: string }) => {
      const headers = o.idempotencyKey ? { 'Idempotency-Key': o.idempotencyKey } : undefined;
      await answerAndMaybeFollow(ctx, await ctx.manualTrigger().call('rerun', { name, mode: o.mode }, { headers }), o);
    });

  return jobs;
}
