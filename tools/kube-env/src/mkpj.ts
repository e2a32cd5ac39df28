import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { load } from 'js-yaml';

const run = promisify(execFile);

export interface MkpjArgs {
  configPath: string;
  jobConfigPath: string;
  job: string;
  baseRef?: string;
  baseSha?: string;
  pullNumber?: number;
  pullSha?: string;
  pullAuthor?: string;
}

/**
 * The ProwJob Prow's own mkpj builds. It stays offline (asks GitHub nothing) when given the base
 * ref and sha, and for presubmits the pull number, sha and author.
 */
export async function runMkpj(bin: string, args: MkpjArgs): Promise<Record<string, unknown>> {
  const argv = ['--config-path', args.configPath, '--job-config-path', args.jobConfigPath, '--job', args.job];
  if (args.baseRef !== undefined) argv.push('--base-ref', args.baseRef);
  if (args.baseSha !== undefined) argv.push('--base-sha', args.baseSha);
  if (args.pullNumber !== undefined) argv.push('--pull-number', String(args.pullNumber));
  if (args.pullSha !== undefined) argv.push('--pull-sha', args.pullSha);
  if (args.pullAuthor !== undefined) argv.push('--pull-author', args.pullAuthor);
  const running = run(bin, argv, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  running.child.stdin?.end(); // mkpj prompts for anything missing; an empty stdin makes it fail instead of wait
  const { stdout } = await running.catch((err: Error & { stderr?: string }) => {
    throw new Error(`mkpj ${argv.join(' ')} failed:\n${err.stderr ?? err.message}`);
  });
  return load(stdout) as Record<string, unknown>;
}
