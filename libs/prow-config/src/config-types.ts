import type { DecorationConfig } from '@ci-stack/prowjob-api';
import type { DefaultEntry, Preset } from './merge';

/** Prow's plank settings that affect how a ProwJob is built or linked. */
export interface PlankConfig {
  job_url_prefix_config?: Record<string, string>;
  job_url_template?: string;
  default_decoration_config_entries?: Array<DefaultEntry<DecorationConfig> | null>;
  default_decoration_configs?: Record<string, DecorationConfig | null>;
  [key: string]: unknown;
}

/** Prow's `config.yaml`, with the defaults Prow applies; every other key is kept as it was. */
export interface ProwConfig {
  prowjob_namespace: string;
  pod_namespace: string;
  plank: PlankConfig;
  decorate_all_jobs?: boolean;
  prowjob_default_entries?: Array<DefaultEntry<{ tenant_id?: string }> | null>;
  /** With the scheduler enabled, new ProwJobs start in state `scheduling`. */
  scheduler?: { enabled?: boolean };
  presets?: Preset[];
  [key: string]: unknown;
}
