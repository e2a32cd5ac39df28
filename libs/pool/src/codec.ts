import { checkDnsLabel } from '@ci-stack/core';
import { StoreCorruptError, UnsupportedStoreVersionError } from './errors';
import { checkLabels, type Labels } from './labels';
import { CLUSTER_STATES, type Cluster, type ClusterState, type Ending, type PoolState, type Ticket } from './model';

/** Version of the stored JSON; bump with a migration when the stored shape changes. */
const STORED_VERSION = 1;

/** The stored form: a versioned document with clusters as a list, compact JSON. */
export function encodePool(state: PoolState): string {
  // An empty history is left out: with thousands of clusters every byte counts against a ConfigMap's 1 MiB.
  // Labels are Maps in memory and objects in JSON.
  const clusters = [...state.clusters.values()].map((c) => (c.history.length && !c.labels ? c : { ...c, history: c.history.length ? c.history : undefined, labels: labelsToJson(c.labels) }));
  const queue = state.queue.some((t) => t.labels) ? state.queue.map((t) => (t.labels ? { ...t, labels: labelsToJson(t.labels) } : t)) : state.queue;
  const stored = { version: STORED_VERSION, clusters, queue };
  return JSON.stringify(stored);
}

/**
 * Reads the stored form; an empty or missing document is an empty pool. Whatever a store hands back is input like
 * a request body: every cluster and ticket is checked field by field, and a document that fails is refused whole
 * with a {@link StoreCorruptError} naming each cluster or ticket and field, so no command ever runs on it.
 */
export function decodePool(text: string | undefined | null): PoolState {
  if (!text || text.trim() === '') return { clusters: new Map(), queue: [] };
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (err) {
    throw new StoreCorruptError([`not JSON (${(err as Error).message})`]);
  }
  if (!isRecord(stored)) throw new StoreCorruptError(['the document must be a JSON object']);
  if (stored.version !== STORED_VERSION) throw new UnsupportedStoreVersionError(stored.version, STORED_VERSION);
  if (!Array.isArray(stored.clusters) || !Array.isArray(stored.queue)) throw new StoreCorruptError(['clusters and queue must be lists']);
  const problems: string[] = [];
  const clusters = new Map<string, Cluster>();
  stored.clusters.forEach((raw: unknown, i: number) => {
    const cluster = readCluster(raw, i, problems);
    if (!cluster) return;
    if (clusters.has(cluster.name)) problems.push(`cluster ${cluster.name}: listed twice`);
    clusters.set(cluster.name, cluster);
  });
  const ids = new Set<string>();
  const queue: Ticket[] = [];
  stored.queue.forEach((raw: unknown, i: number) => {
    const ticket = readTicket(raw, i, problems);
    if (!ticket) return;
    if (ids.has(ticket.id)) problems.push(`queue ticket ${ticket.id}: listed twice`);
    ids.add(ticket.id);
    queue.push(ticket);
  });
  if (problems.length) throw new StoreCorruptError(problems);
  return { clusters, queue };
}

const ENDINGS: readonly Ending[] = [
  'finished',
  'lease-expired',
  'held',
  'released',
  'hold-expired',
  'disabled',
  'enabled',
  'provisioned',
  'failed',
  'retried',
  'cleaned',
  'cleanup-failed',
  'quarantined',
];

function labelsToJson(labels: Labels | undefined): Record<string, string> | undefined {
  return labels?.size ? Object.fromEntries(labels) : undefined;
}

/** Stored labels: an object of valid keys and values, read into a Map (its keys are user input). */
function readLabels(raw: unknown, where: string, problems: string[]): Map<string, string> | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push(`${where}: labels must be an object, got ${preview(raw)}`);
    return undefined;
  }
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') pairs.push([k, v]);
    else problems.push(`${where}: label ${k} must be a string, got ${preview(v)}`);
  }
  const checked = checkLabels(`${where}: labels`, pairs, { selector: true });
  problems.push(...checked.problems);
  return checked.labels;
}

const isPositiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;
/** Exactly what `Date.toISOString` writes: expiry and rest order compare these as text. */
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): boolean => typeof v === 'string';
const isText = (v: unknown): boolean => typeof v === 'string' && v !== '';
const isLabel = (v: unknown): boolean => typeof v === 'string' && checkDnsLabel('name', v) === undefined;
const isTimestamp = (v: unknown): boolean => typeof v === 'string' && TIMESTAMP.test(v);
const isOptionalText = (v: unknown): boolean => v === undefined || isText(v);

/** Checks the fields of one stored object, recording every problem under `where`. */
class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly where: string,
    private readonly problems: string[],
    /** Path of this object inside the cluster or ticket, e.g. `holder.` or `history[3].`. */
    private readonly path = '',
  ) {}

  private check(key: string, ok: (v: unknown) => boolean, want: string, optional: boolean): void {
    const value = this.record[key];
    if (value === undefined && optional) return;
    if (value === undefined) this.problems.push(`${this.where}: ${this.path}${key} is missing`);
    else if (!ok(value)) this.problems.push(`${this.where}: ${this.path}${key} must be ${want}, got ${preview(value)}`);
  }

  /** Any string, empty too. */
  string(key: string): void {
    this.check(key, isString, 'a string', false);
  }

  text(key: string, optional = false): void {
    this.check(key, isText, 'a non-empty string', optional);
  }

  label(key: string, optional = false): void {
    this.check(key, isLabel, 'a DNS-1123 label', optional);
  }

  timestamp(key: string, optional = false): void {
    this.check(key, isTimestamp, 'a timestamp like 2026-06-01T00:00:00.000Z', optional);
  }

  oneOf(key: string, values: readonly string[]): void {
    this.check(key, (v) => typeof v === 'string' && values.includes(v), `one of ${values.join(', ')}`, false);
  }

  object(key: string, optional: boolean): Record<string, unknown> | undefined {
    this.check(key, isRecord, 'an object', optional);
    const value = this.record[key];
    return isRecord(value) ? value : undefined;
  }

  list(key: string): unknown[] {
    this.check(key, Array.isArray, 'a list', true);
    const value = this.record[key];
    return Array.isArray(value) ? value : [];
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function readCluster(raw: unknown, index: number, problems: string[]): Cluster | undefined {
  if (!isRecord(raw)) {
    problems.push(`clusters[${index}] must be an object, got ${preview(raw)}`);
    return undefined;
  }
  const named = typeof raw.name === 'string' && checkDnsLabel('name', raw.name) === undefined;
  const where = named ? `cluster ${raw.name as string}` : `clusters[${index}]`;
  const before = problems.length;
  const f = new FieldReader(raw, where, problems);
  f.label('name');
  f.label('region');
  f.oneOf('state', CLUSTER_STATES);
  for (const key of ['since', 'addedAt', 'freedAt']) f.timestamp(key);
  f.text('addedBy', true);
  f.text('disabledReason', true);
  f.timestamp('provisionedAt', true);
  if (raw.managedBy !== undefined && raw.managedBy !== 'inventory') problems.push(`${where}: managedBy must be inventory, got ${preview(raw.managedBy)}`);
  // A provisioning or cleaning cluster follows a job run; a failed or quarantined one says why.
  const following = raw.state === 'provisioning' || raw.state === 'cleaning';
  const job = f.object('job', !following);
  if (job) readJobRun(job, where, problems);
  const problem = f.object('problem', raw.state !== 'failed' && raw.state !== 'quarantined');
  if (problem) readProblem(problem, where, problems);
  const labels = readLabels(raw.labels, where, problems);
  // A testing cluster has a holder and a lease that expires, a held one a holder and a hold that expires.
  const needsHolder = raw.state === 'testing' || raw.state === 'held';
  const holder = f.object('holder', !needsHolder);
  f.timestamp('leaseExpires', raw.state !== 'testing');
  f.timestamp('holdExpires', raw.state !== 'held');
  if (holder) readHolder(holder, where, problems);
  const history = f.list('history');
  // History is most of the document: check each entry quickly, and spell out only the entries that fail.
  history.forEach((entry, i) => historyEntryOk(entry) || readHistoryEntry(entry, where, `history[${i}]`, problems));
  if (problems.length > before) return undefined;
  // Built without a key to delete: a deleted property turns a V8 object into a slower dictionary.
  const { labels: _stored, ...rest } = raw;
  const cluster = { ...rest, history } as unknown as Cluster;
  if (labels?.size) cluster.labels = labels;
  return cluster;
}

function readJobRun(raw: Record<string, unknown>, where: string, problems: string[]): void {
  const f = new FieldReader(raw, where, problems, 'job.');
  f.oneOf('kind', ['create', 'cleanup']);
  if (!isPositiveInt(raw.attempt)) problems.push(`${where}: job.attempt must be a whole number of at least 1, got ${preview(raw.attempt)}`);
  f.text('key');
  f.timestamp('requestedAt');
  for (const key of ['name', 'statusLink', 'logLink']) f.text(key, true);
}

function readProblem(raw: Record<string, unknown>, where: string, problems: string[]): void {
  const f = new FieldReader(raw, where, problems, 'problem.');
  f.text('reason');
  f.text('prowJob', true);
  f.text('logLink', true);
  f.timestamp('at');
}

function readHolder(raw: Record<string, unknown>, where: string, problems: string[]): void {
  const f = new FieldReader(raw, where, problems, 'holder.');
  f.string('build');
  f.string('job');
  f.text('user', true);
  f.timestamp('since');
}

function historyEntryOk(e: unknown): boolean {
  return (
    isRecord(e) &&
    CLUSTER_STATES.includes(e.state as ClusterState) &&
    ENDINGS.includes(e.ended as Ending) &&
    isTimestamp(e.from) &&
    isTimestamp(e.to) &&
    isOptionalText(e.build) &&
    isOptionalText(e.job) &&
    isOptionalText(e.user) &&
    isOptionalText(e.prowJob) &&
    isOptionalText(e.logLink)
  );
}

function readHistoryEntry(raw: unknown, where: string, path: string, problems: string[]): void {
  if (!isRecord(raw)) {
    problems.push(`${where}: ${path} must be an object, got ${preview(raw)}`);
    return;
  }
  const f = new FieldReader(raw, where, problems, `${path}.`);
  f.oneOf('state', CLUSTER_STATES);
  f.oneOf('ended', ENDINGS);
  f.timestamp('from');
  f.timestamp('to');
  for (const key of ['build', 'job', 'user', 'prowJob', 'logLink']) f.text(key, true);
}

function readTicket(raw: unknown, index: number, problems: string[]): Ticket | undefined {
  if (!isRecord(raw)) {
    problems.push(`queue[${index}] must be an object, got ${preview(raw)}`);
    return undefined;
  }
  const where = typeof raw.id === 'string' && /^[\x21-\x7e]{1,64}$/.test(raw.id) ? `queue ticket ${raw.id}` : `queue[${index}]`;
  const before = problems.length;
  const f = new FieldReader(raw, where, problems);
  for (const key of ['id', 'build', 'job']) f.text(key);
  f.label('region', true);
  for (const key of ['enqueuedAt', 'deadline', 'seenAt']) f.timestamp(key);
  const labels = readLabels(raw.labels, where, problems);
  if (problems.length > before) return undefined;
  const { labels: _stored, ...rest } = raw;
  return (labels?.size ? { ...rest, labels } : rest) as unknown as Ticket;
}
