import { ClusterExistsError, JobSupersededError } from './errors';
import { sameLabels, satisfies, type Labels } from './labels';
import type { Cluster, JobRun, PoolState } from './model';
import { get, jobKey, move, type Command } from './transitions';

// The lifecycle commands: provisioning through a creation job, cleaning through a cleanup job, keeping the pool
// at its targets and in step with the inventory. Like every command they validate first and mutate only once
// nothing can fail; the decisions they make (what to create, what to delete) are taken inside the command, on the
// state the store is about to write, never on an earlier read.

const iso = (d: Date): string => d.toISOString();

function find(state: PoolState, name: string): Cluster | undefined {
  return state.clusters.get(name);
}

export interface ProvisionRequest {
  name: string;
  region: string;
  labels?: Labels;
  by?: string;
}

/** A new cluster (or a failed one, retried) becomes provisioning, with its creation job requested. */
export function startProvisioning(req: ProvisionRequest): Command<Cluster> {
  return (state, now) => {
    const existing = find(state, req.name);
    if (existing && existing.state !== 'failed') throw new ClusterExistsError(existing);
    const cluster = existing ?? { name: req.name, region: req.region, state: 'provisioning', since: iso(now), addedAt: iso(now), freedAt: iso(now), history: [] };
    if (existing) move(existing, 'provisioning', now, 'retried');
    else state.clusters.set(req.name, cluster);
    cluster.region = req.region;
    if (req.labels?.size) cluster.labels = new Map(req.labels);
    else delete cluster.labels;
    if (req.by) cluster.addedBy = req.by;
    // Each creation of this name is a new attempt, so its run gets a new idempotency key even within one millisecond.
    const attempt = 1 + cluster.history.filter((h) => h.state === 'provisioning').length;
    cluster.job = { kind: 'create', attempt, key: jobKey('create', cluster, attempt), requestedAt: iso(now) };
    return cluster;
  };
}

/** The ProwJob manual-trigger created for a run: recorded so that any replica can follow it. */
export interface StartedJob {
  name: string;
  statusLink?: string;
  logLink?: string;
}

function followed(cluster: Cluster, key: string): JobRun {
  if (!cluster.job || cluster.job.key !== key) throw new JobSupersededError(cluster, key);
  return cluster.job;
}

export function recordJobStarted(name: string, key: string, started: StartedJob): Command<Cluster> {
  return (state) => {
    const cluster = get(state, name);
    const run = followed(cluster, key);
    run.name = started.name;
    if (started.statusLink) run.statusLink = started.statusLink;
    if (started.logLink) run.logLink = started.logLink;
    return cluster;
  };
}

/** How a job run ended. `final` failures (a job manual-trigger refuses to run) are not retried. */
export type JobOutcome = { ok: true; logLink?: string } | { ok: false; reason: string; logLink?: string; final?: boolean };

export interface JobResult {
  cluster: Cluster;
  result: 'provisioned' | 'failed' | 'cleaned' | 'retrying' | 'quarantined';
  run: JobRun;
  /** When the provisioning or cleaning stay began, for the duration metrics. */
  stayStarted: string;
}

/**
 * Applies a run's outcome: provisioning → finished or failed; cleaning → finished, another attempt, or
 * quarantined once `maxCleanupAttempts` runs have failed.
 */
export function finishJob(name: string, key: string, outcome: JobOutcome, maxCleanupAttempts: number): Command<JobResult> {
  return (state, now) => {
    const cluster = get(state, name);
    const run = followed(cluster, key);
    const stayStarted = cluster.since;
    if (outcome.logLink) run.logLink = outcome.logLink;
    const problem = outcome.ok ? undefined : { reason: outcome.reason, prowJob: run.name, logLink: run.logLink, at: iso(now) };
    if (run.kind === 'create') {
      move(cluster, outcome.ok ? 'finished' : 'failed', now, outcome.ok ? 'provisioned' : 'failed');
      if (problem) cluster.problem = problem;
      else cluster.provisionedAt = iso(now);
      return { cluster, result: outcome.ok ? 'provisioned' : 'failed', run, stayStarted };
    }
    if (!problem) {
      move(cluster, 'finished', now, 'cleaned');
      return { cluster, result: 'cleaned', run, stayStarted };
    }
    if ((!outcome.ok && outcome.final) || run.attempt >= maxCleanupAttempts) {
      move(cluster, 'quarantined', now, 'quarantined');
      cluster.problem = { ...problem, reason: run.attempt > 1 ? `cleanup failed ${run.attempt} times; last: ${problem.reason}` : problem.reason };
      return { cluster, result: 'quarantined', run, stayStarted };
    }
    const attempt = run.attempt + 1;
    cluster.job = { kind: 'cleanup', attempt, key: jobKey('cleanup', cluster, attempt), requestedAt: iso(now) };
    cluster.problem = problem;
    return { cluster, result: 'retrying', run, stayStarted };
  };
}

/** A cluster the inventory file lists. */
export interface InventoryCluster {
  name: string;
  region: string;
  labels?: Labels;
}

export interface InventoryChanges {
  add: InventoryCluster[];
  update: InventoryCluster[];
  remove: string[];
}

/** States in which a cluster serves nobody, so the inventory may remove it. */
const IDLE: ReadonlySet<string> = new Set(['finished', 'disabled', 'failed', 'quarantined']);

/**
 * What it takes to bring the pool in step with the inventory: add the listed clusters that are missing, update the
 * region and labels of listed ones it manages, remove the idle ones it manages that the file no longer lists.
 * Clusters added through the API are never touched. Pure: a quick check whether there is anything to do.
 */
export function planInventory(state: PoolState, listed: readonly InventoryCluster[]): InventoryChanges {
  const changes: InventoryChanges = { add: [], update: [], remove: [] };
  const names = new Set<string>();
  for (const want of listed) {
    names.add(want.name);
    const have = find(state, want.name);
    if (!have) changes.add.push(want);
    else if (have.managedBy === 'inventory' && (have.region !== want.region || !sameLabels(have.labels, want.labels))) changes.update.push(want);
  }
  for (const c of state.clusters.values()) {
    if (c.managedBy === 'inventory' && !names.has(c.name) && IDLE.has(c.state)) changes.remove.push(c.name);
  }
  return changes;
}

export function syncInventory(listed: readonly InventoryCluster[]): Command<InventoryChanges> {
  return (state, now) => {
    const changes = planInventory(state, listed);
    for (const c of changes.add) {
      const cluster: Cluster = { name: c.name, region: c.region, state: 'finished', since: iso(now), addedAt: iso(now), freedAt: iso(now), addedBy: 'inventory', managedBy: 'inventory', history: [] };
      if (c.labels?.size) cluster.labels = new Map(c.labels);
      state.clusters.set(c.name, cluster);
    }
    for (const c of changes.update) {
      const cluster = state.clusters.get(c.name) as Cluster;
      cluster.region = c.region;
      if (c.labels?.size) cluster.labels = new Map(c.labels);
      else delete cluster.labels;
    }
    for (const name of changes.remove) state.clusters.delete(name);
    return changes;
  };
}

/** A pool target: keep at least `minVacant` clusters with these labels vacant or on their way. */
export interface PoolTarget {
  region: string;
  labels?: Labels;
  minVacant: number;
  maxSize: number;
  maxProvisioning: number;
  namePrefix: string;
}

export interface ReplenishOptions {
  /** Wait after the first failed creation; doubles with each further one. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A fresh random name suffix (for testing: a predictable one). */
  suffix: () => string;
}

export interface TargetPlan {
  target: PoolTarget;
  create: number;
  /** Set when failed creations hold the target back. */
  backoffUntil?: string;
}

/**
 * How many clusters each target needs now. Its members are the clusters with its region and labels; vacant
 * (finished) plus provisioning members should reach `minVacant`, never past `maxSize` members or
 * `maxProvisioning` running creations. After failed creations newer than the last success it waits
 * `backoffBaseMs · 2^(failures-1)`, capped, from the last failure. Failed members stay (and count) until an admin
 * retries or deletes them.
 */
export function planReplenish(state: PoolState, targets: readonly PoolTarget[], now: Date, opts: Pick<ReplenishOptions, 'backoffBaseMs' | 'backoffMaxMs'>): TargetPlan[] {
  const clusters = [...state.clusters.values()];
  return targets.map((target) => {
    const members = clusters.filter((c) => satisfies(c, target.region, target.labels));
    const count = (s: string): number => members.filter((c) => c.state === s).length;
    const provisioning = count('provisioning');
    const want = target.minVacant - count('finished') - provisioning;
    const room = Math.min(target.maxSize - members.length, target.maxProvisioning - provisioning);
    const create = Math.max(0, Math.min(want, room));
    if (create === 0) return { target, create };
    const lastSuccess = members.reduce((t, c) => (c.provisionedAt && c.provisionedAt > t ? c.provisionedAt : t), '');
    const failures = members.filter((c) => c.state === 'failed' && c.problem && c.problem.at > lastSuccess).map((c) => (c.problem as { at: string }).at);
    if (failures.length === 0) return { target, create };
    const wait = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** Math.min(failures.length - 1, 30));
    const until = new Date(Date.parse(failures.sort().at(-1) as string) + wait);
    return until > now ? { target, create: 0, backoffUntil: iso(until) } : { target, create };
  });
}

/** Records the clusters the targets need as provisioning; the caller triggers their creation jobs. */
export function replenish(targets: readonly PoolTarget[], opts: ReplenishOptions): Command<{ created: Cluster[]; plans: TargetPlan[] }> {
  return (state, now) => {
    const plans = planReplenish(state, targets, now, opts);
    const created: Cluster[] = [];
    for (const plan of plans) {
      for (let i = 0; i < plan.create; i++) {
        const name = freshName(state, plan.target.namePrefix, opts.suffix);
        if (!name) break;
        created.push(startProvisioning({ name, region: plan.target.region, labels: plan.target.labels, by: 'pool-target' })(state, now));
      }
    }
    return { created, plans };
  };
}

function freshName(state: PoolState, prefix: string, suffix: () => string): string | undefined {
  for (let tries = 0; tries < 10; tries++) {
    const name = prefix + suffix();
    if (!find(state, name)) return name;
  }
  return undefined;
}
