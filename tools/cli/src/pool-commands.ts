import { Command, Option } from 'commander';
import { CLUSTER_STATES, type ClusterDetail, type ClusterView, type TicketView } from '@ci-stack/cimaster-api';
import type { Context } from './context';
import { fields, table, when, type Column } from './output';

const CLUSTER_COLUMNS: Array<Column<ClusterView>> = [
  ['name', (c) => c.name],
  ['region', (c) => c.region],
  ['state', (c) => c.state],
  ['since', (c) => when(c.since)],
  ['holder', (c) => holder(c)],
  ['expires', (c) => when(c.lease_expires ?? c.hold_expires)],
  ['note', (c) => c.disabled_reason],
];

const QUEUE_COLUMNS: Array<Column<TicketView>> = [
  ['pos', (t) => t.position],
  ['build', (t) => t.build],
  ['job', (t) => t.job],
  ['region', (t) => t.region],
  ['waiting since', (t) => when(t.enqueued_at)],
  ['deadline', (t) => when(t.deadline)],
];

function holder(c: ClusterView): string | undefined {
  const h = c.holder;
  if (!h) return undefined;
  return [h.user && `${h.user} (hold)`, `build ${h.build}`, h.job].filter(Boolean).join(', ');
}

function detail(c: ClusterDetail): string {
  const head = fields([
    ['name', c.name],
    ['region', c.region],
    ['state', c.state],
    ['since', when(c.since)],
    ['holder', holder(c)],
    ['lease expires', when(c.lease_expires)],
    ['hold expires', when(c.hold_expires)],
    ['disabled because', c.disabled_reason],
    ['added', `${when(c.added_at)}${c.added_by ? ` by ${c.added_by}` : ''}`],
  ]);
  if (!c.history.length) return head;
  const history = table(
    [
      ['state', (h) => h.state],
      ['from', (h) => when(h.from)],
      ['seconds', (h) => h.duration_seconds],
      ['who', (h) => [h.user, h.build && `build ${h.build}`, h.job].filter(Boolean).join(', ')],
      ['ended', (h) => h.ended],
    ],
    c.history,
  );
  return `${head}\nhistory (newest first):\n${history}`;
}

/** `ci-stack pool ...`: cimaster's pool. */
export function poolCommands(ctx: Context): Command {
  const pool = new Command('pool').description("the e2e cluster pool (cimaster)");
  const answer = (data: { message: string }): void => ctx.print(() => `${data.message}\n`, data);

  pool
    .command('ls')
    .description('list clusters')
    .addOption(new Option('--state <state>', 'only clusters in this state').choices(CLUSTER_STATES))
    .option('--region <region>', 'only clusters of this region')
    .action(async (opts: { state?: string; region?: string }) => {
      const all = await ctx.cimaster().call('clusters', {});
      const clusters = all.clusters.filter((c) => (!opts.state || c.state === opts.state) && (!opts.region || c.region === opts.region));
      ctx.print(() => table(CLUSTER_COLUMNS, clusters) + (all.queue.length ? `\n${all.queue.length} getvacant call(s) waiting: ci-stack pool queue\n` : ''), { ...all, clusters });
    });

  pool
    .command('show')
    .description('one cluster and its recent history')
    .argument('<cluster>')
    .action(async (name: string) => {
      const c = await ctx.cimaster().call('cluster', { name });
      ctx.print(() => detail(c), c);
    });

  pool
    .command('queue')
    .description('getvacant calls waiting for a cluster, in order')
    .action(async () => {
      const q = await ctx.cimaster().call('queue', {});
      ctx.print(() => (q.queue.length ? table(QUEUE_COLUMNS, q.queue) : 'nobody is waiting\n'), q);
    });

  pool
    .command('add')
    .description('add a cluster to the pool (admin)')
    .argument('<cluster>')
    .requiredOption('--region <region>', 'its region')
    .option('--by <name>', 'who adds it (default: your token identity)')
    .action(async (cluster: string, opts: { region: string; by?: string }) => answer(await ctx.cimaster().call('addcluster', { cluster, region: opts.region, name: opts.by })));

  pool
    .command('disable')
    .description('take a vacant cluster out of service (admin)')
    .argument('<cluster>')
    .option('--reason <text>', 'why, shown in pool ls')
    .action(async (cluster: string, opts: { reason?: string }) => answer(await ctx.cimaster().call('disablecluster', { cluster, reason: opts.reason })));

  pool
    .command('enable')
    .description('put a disabled cluster back in service (admin)')
    .argument('<cluster>')
    .action(async (cluster: string) => answer(await ctx.cimaster().call('enablecluster', { cluster })));

  pool
    .command('delete')
    .description('remove a vacant or disabled cluster (admin)')
    .argument('<cluster>')
    .action(async (cluster: string) => answer(await ctx.cimaster().call('deletecluster', { cluster })));

  pool
    .command('hold')
    .description('hold a testing cluster for debugging')
    .argument('<cluster>')
    .option('--hours <n>', 'how long (default: the server default)')
    .option('--user <name>', 'who holds it (default: your token identity; another needs an admin token)')
    .option('--build <id>', 'the build testing on it (needed without a token when auth is on)')
    .action(async (cluster: string, opts: { hours?: string; user?: string; build?: string }) => answer(await ctx.cimaster().call('holdcluster', { cluster, hours: opts.hours, user: opts.user, build: opts.build })));

  pool
    .command('release')
    .description('release a held cluster')
    .argument('<cluster>')
    .option('--user <name>', 'who releases it (default: your token identity; another needs an admin token)')
    .option('--build <id>', 'the build whose hold it is (needed without a token when auth is on)')
    .action(async (cluster: string, opts: { user?: string; build?: string }) => answer(await ctx.cimaster().call('releasecluster', { cluster, user: opts.user, build: opts.build })));

  pool
    .command('create')
    .description('run the cluster-creation job through manual-trigger (admin)')
    .option('--branch <branch>', 'branch of the creation job (default master)')
    .option('--user <name>', 'passed to the job as AUTHOR (default: your token identity)')
    .action(async (opts: { branch?: string; user?: string }) => answer(await ctx.cimaster().call('createcluster', { branch: opts.branch, user: opts.user })));

  return pool;
}
