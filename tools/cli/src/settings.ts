import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import { parseDuration } from '@ci-stack/core';

/** A usage problem: bad flags, a bad config file, a missing URL. Exit code 2. */
export class UsageError extends Error {}

export type OutputFormat = 'table' | 'json';

/** Where one service is and how to authenticate to it; the token is read per call, never kept in the open. */
export interface Endpoint {
  service: 'cimaster' | 'manual-trigger';
  url?: string;
  /** Where the URL came from, for `ci-stack config`. */
  urlSource?: string;
  token?: () => Promise<string | undefined>;
  /** Where the token comes from (a variable or file name, never the token). */
  tokenSource?: string;
}

export interface Settings {
  cimaster: Endpoint;
  manualTrigger: Endpoint;
  output: OutputFormat;
  timeoutMs: number;
  configFile: string;
  /** Problems worth a warning on stderr (e.g. a config file others can read that holds a token). */
  warnings: string[];
}

/** The global flags (see docs/cli.md). */
export interface GlobalFlags {
  cimasterUrl?: string;
  cimasterTokenFile?: string;
  manualTriggerUrl?: string;
  manualTriggerTokenFile?: string;
  config?: string;
  output?: string;
  timeout?: string;
}

const serviceSection = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
  'token-file': z.string().min(1).optional(),
  token: z.string().min(1).optional(),
});

const configSchema = z.strictObject({
  cimaster: serviceSection.optional(),
  'manual-trigger': serviceSection.optional(),
  output: z.enum(['table', 'json']).optional(),
});

type ConfigFile = z.output<typeof configSchema>;

/** `$XDG_CONFIG_HOME/ci-stack/config.yaml`, else `~/.config/ci-stack/config.yaml`. */
export function defaultConfigFile(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'ci-stack', 'config.yaml');
}

/** Flags win over the environment, which wins over the config file. */
export async function loadSettings(flags: GlobalFlags, env: Record<string, string | undefined>): Promise<Settings> {
  const configFile = flags.config ?? defaultConfigFile(env);
  const warnings: string[] = [];
  const config = await readConfig(configFile, flags.config !== undefined, warnings, env);
  const output = flags.output ?? config.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got ${JSON.stringify(output)}`);
  return {
    cimaster: endpoint('cimaster', { flagUrl: flags.cimasterUrl, flagTokenFile: flags.cimasterTokenFile, prefix: 'CIMASTER', section: config.cimaster, configFile }, env),
    manualTrigger: endpoint('manual-trigger', { flagUrl: flags.manualTriggerUrl, flagTokenFile: flags.manualTriggerTokenFile, prefix: 'MANUAL_TRIGGER', section: config['manual-trigger'], configFile }, env),
    output,
    timeoutMs: timeout(flags.timeout),
    configFile,
    warnings,
  };
}

async function readConfig(path: string, explicit: boolean, warnings: string[], env: Record<string, string | undefined>): Promise<ConfigFile> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !explicit) return undefined;
    throw new UsageError(`cannot read the config file ${path}: ${err.code ?? err.message}`);
  });
  if (text === undefined) return {};
  const data = yaml(path, text);
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    throw new UsageError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  if (parsed.data.cimaster?.token || parsed.data['manual-trigger']?.token) await warnIfOthersRead(path, warnings);
  for (const section of [parsed.data.cimaster, parsed.data['manual-trigger']]) {
    if (section?.['token-file']) section['token-file'] = expandHome(section['token-file'], env);
  }
  return parsed.data;
}

function yaml(path: string, text: string): unknown {
  try {
    return load(text) ?? {};
  } catch (err) {
    throw new UsageError(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

async function warnIfOthersRead(path: string, warnings: string[]): Promise<void> {
  if (((await stat(path)).mode & 0o077) !== 0) warnings.push(`${path} holds a token and others may read it: chmod 600 ${path}`);
}

function endpoint(
  service: Endpoint['service'],
  src: { flagUrl?: string; flagTokenFile?: string; prefix: string; section: ConfigFile['cimaster']; configFile: string },
  env: Record<string, string | undefined>,
): Endpoint {
  const [urlSource, url] = first([
    ['--' + service + '-url', src.flagUrl],
    [`${src.prefix}_URL`, env[`${src.prefix}_URL`]],
    [`${src.configFile} (${service}.url)`, src.section?.url],
  ]);
  if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw new UsageError(`${urlSource} must be an http or https URL, got ${JSON.stringify(url)}`);
  return { service, url, urlSource, ...tokenFrom(service, src, env) };
}

/** The token's source, first found: the flag's file, the variable, the variable's file, the config file's. */
function tokenFrom(
  service: string,
  src: { flagTokenFile?: string; prefix: string; section: ConfigFile['cimaster']; configFile: string },
  env: Record<string, string | undefined>,
): Pick<Endpoint, 'token' | 'tokenSource'> {
  const fromFile = (file: string, source: string): Pick<Endpoint, 'token' | 'tokenSource'> => ({ token: () => readToken(file), tokenSource: `${source} (${file})` });
  const direct = (token: string, source: string): Pick<Endpoint, 'token' | 'tokenSource'> => ({ token: async () => token, tokenSource: source });
  if (src.flagTokenFile) return fromFile(src.flagTokenFile, `--${service}-token-file`);
  if (env[`${src.prefix}_TOKEN`]) return direct(env[`${src.prefix}_TOKEN`] as string, `${src.prefix}_TOKEN`);
  if (env[`${src.prefix}_TOKEN_FILE`]) return fromFile(env[`${src.prefix}_TOKEN_FILE`] as string, `${src.prefix}_TOKEN_FILE`);
  if (src.section?.['token-file']) return fromFile(src.section['token-file'], `${src.configFile} ${service}.token-file`);
  if (src.section?.token) return direct(src.section.token, `${src.configFile} ${service}.token`);
  return {};
}

function first(candidates: Array<[string, string | undefined]>): [string | undefined, string | undefined] {
  const found = candidates.find(([, v]) => v !== undefined && v !== '');
  return found ? [found[0], found[1]] : [undefined, undefined];
}

async function readToken(file: string): Promise<string> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (!token) throw new UsageError(`the token file ${file} is empty`);
    return token;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function expandHome(path: string, env: Record<string, string | undefined>): string {
  return path === '~' || path.startsWith('~/') ? join(env.HOME || homedir(), path.slice(1)) : path;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function timeout(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_TIMEOUT_MS;
  let ms: number;
  try {
    ms = parseDuration(flag);
  } catch {
    ms = 0;
  }
  if (!(ms > 0)) throw new UsageError(`--timeout must be a duration like 30s, 2m or 500ms, got ${JSON.stringify(flag)}`);
  return ms;
}

/** The URL of a service, or a usage error naming the three places it can come from. */
export function requireUrl(e: Endpoint, configFile: string): string {
  if (e.url) return e.url;
  const prefix = e.service === 'cimaster' ? 'CIMASTER' : 'MANUAL_TRIGGER';
  throw new UsageError(`no ${e.service} URL: pass --${e.service}-url, set ${prefix}_URL, or add ${e.service}.url to ${configFile}`);
}
