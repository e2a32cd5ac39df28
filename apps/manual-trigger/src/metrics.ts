import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LoadedProwConfig, WatcherStatus } from '@ci-stack/prow-config';

/** The metrics manual-trigger records; all names start with `manual_trigger_`. */
export interface TriggerMetrics {
  registry: Registry;
  created: Counter<'type'>;
  createFailures: Counter<'type' | 'reason'>;
  buildIdWait: Histogram<'outcome'>;
  configReloads: Counter<'result'>;
  aborted: Counter<'via'>;
  abortsReapplied: Counter;
  reruns: Counter<'mode'>;
}

/** Builds the registry; config gauges are computed at scrape time from the watcher. */
export function createMetrics(source: { config: () => LoadedProwConfig; status: () => WatcherStatus; following?: () => number }): TriggerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'manual_trigger_' });
  const created = new Counter({ name: 'manual_trigger_prowjobs_created_total', help: 'ProwJobs created, by type.', labelNames: ['type'], registers: [registry] });
  const createFailures = new Counter({
    name: 'manual_trigger_prowjob_create_failures_total',
    help: 'ProwJob creations that failed, by type and error code.',
    labelNames: ['type', 'reason'],
    registers: [registry],
  });
  const buildIdWait = new Histogram({
    name: 'manual_trigger_build_id_wait_seconds',
    help: 'Time from creating a ProwJob until plank assigned its BuildID (or the wait timed out).',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'manual_trigger_config_jobs',
    help: 'Jobs in the loaded Prow config, by type.',
    labelNames: ['type'],
    registers: [registry],
    collect() {
      const counts = source.config().index.counts();
      this.set({ type: 'presubmit' }, counts.presubmits);
      this.set({ type: 'postsubmit' }, counts.postsubmits);
      this.set({ type: 'periodic' }, counts.periodics);
    },
  });
  const configReloads = new Counter({
    name: 'manual_trigger_config_reloads_total',
    help: 'Config reloads after start, by result (success, failure).',
    labelNames: ['result'],
    registers: [registry],
  });
  new Gauge({
    name: 'manual_trigger_config_last_reload_success_timestamp_seconds',
    help: 'When the config was last loaded successfully (Unix time).',
    registers: [registry],
    collect() {
      const t = source.status().lastSuccess;
      if (t) this.set(t.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'manual_trigger_config_last_reload_failed',
    help: '1 when the most recent reload failed and an older config is serving, else 0.',
    registers: [registry],
    collect() {
      const s = source.status();
      this.set(s.lastFailure && (!s.lastSuccess || s.lastFailure > s.lastSuccess) ? 1 : 0);
    },
  });
  const aborted = new Counter({ name: 'manual_trigger_prowjobs_aborted_total', help: 'ProwJobs aborted, by route (single, bulk).', labelNames: ['via'], registers: [registry] });
  const abortsReapplied = new Counter({ name: 'manual_trigger_aborts_reapplied_total', help: 'Aborts applied again because plank had overwritten them with a stale update.', registers: [registry] });
  const reruns = new Counter({ name: 'manual_trigger_prowjob_reruns_total', help: 'ProwJobs created as reruns, by mode (original, latest).', labelNames: ['mode'], registers: [registry] });
  new Gauge({
    name: 'manual_trigger_prowjob_followers',
    help: 'Event streams and waits (wait=complete) following a ProwJob now.',
    registers: [registry],
    collect() {
      this.set(source.following?.() ?? 0);
    },
  });
  return { registry, created, createFailures, buildIdWait, configReloads, aborted, abortsReapplied, reruns };
}
