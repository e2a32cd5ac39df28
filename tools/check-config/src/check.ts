import { formatProblem, inspectProwConfig, type LoadReport } from '@ci-stack/prow-config';
import { OptionsError, parseOptions, type OptionSpec, type OptionsOf } from '@ci-stack/core';

const CHECK_CONFIG_OPTIONS = [
  { name: 'config-path', env: 'CONFIG_PATH', type: 'string', required: true, help: 'Path to Prow config.yaml.' },
  { name: 'job-config-path', env: 'JOB_CONFIG_PATH', type: 'string', help: 'Path to a job config file or a directory of them.' },
  { name: 'json', env: 'CHECK_CONFIG_JSON', type: 'bool', default: false, help: 'Print the report as JSON.' },
] as const satisfies readonly OptionSpec[];

type CheckOptions = OptionsOf<typeof CHECK_CONFIG_OPTIONS>;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

/**
 * Validates a Prow config like Prow's checkconfig: prints every problem with its location and the job counts.
 * Exit code 0 when clean, 1 when the config has problems, 2 for bad usage.
 */
export async function runCheckConfig(argv: string[], io: Io): Promise<number> {
  let opts: CheckOptions;
  try {
    const parsed = parseOptions({ name: 'check-config', specs: CHECK_CONFIG_OPTIONS }, argv, io.env);
    if (parsed.help) {
      io.out(parsed.text);
      return 0;
    }
    opts = parsed.values;
  } catch (err) {
    if (err instanceof OptionsError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const started = process.hrtime.bigint();
  const report = await inspectProwConfig({ configPath: opts.configPath, jobConfigPath: opts.jobConfigPath }, { keepJobs: false });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (opts.json) io.out(JSON.stringify({ ok: report.problems.length === 0, counts: report.counts, problems: report.problems }, null, 2) + '\n');
  else printText(report, ms, io);
  return report.problems.length === 0 ? 0 : 1;
}

function printText(report: LoadReport, ms: number, io: Io): void {
  for (const problem of report.problems) io.err(`${formatProblem(problem)}\n`);
  const { presubmits, postsubmits, periodics } = report.counts;
  io.out(`presubmits: ${presubmits}\npostsubmits: ${postsubmits}\nperiodics: ${periodics}\ntotal: ${presubmits + postsubmits + periodics}\n`);
  const verdict = report.problems.length === 0 ? 'config is valid' : `${report.problems.length} problem(s) found`;
  io.out(`${verdict} (${Math.round(ms)} ms)\n`);
}
