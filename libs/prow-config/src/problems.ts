/** One thing wrong with the config, located as precisely as the parser allows. */
export interface ConfigProblem {
  file?: string;
  line?: number;
  job?: string;
  message: string;
}

/** Thrown when a config cannot be used; lists every problem found, not just the first. */
export class ConfigLoadError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`${problems.length} problem(s) in Prow config:\n  ${problems.map(formatProblem).join('\n  ')}`);
    this.name = 'ConfigLoadError';
  }
}

/** `file:line: job NAME: message`, leaving out what is unknown. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : '';
  const job = p.job ? `job ${p.job}: ` : '';
  return `${where}${job}${p.message}`;
}
