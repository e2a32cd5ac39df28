import { createHash, timingSafeEqual } from 'node:crypto';
import { load } from 'js-yaml';
import { UnauthenticatedError, type OptionSpec } from '@ci-stack/core';
import { FileInvalidError, WatchedFile } from './watched-file';

/** `--auth-config`: the token file {@link BearerTokens} reads; unset, authentication is off. */
export const AUTH_FLAGS = [
  {
    name: 'auth-config',
    env: 'AUTH_CONFIG',
    type: 'string',
    help: 'Token file (YAML) enabling bearer-token authentication, with what each token may do; reloaded on change. Unset: no authentication.',
  },
] as const satisfies readonly OptionSpec[];

/** Who a token belongs to, and what this service lets it do. */
export interface TokenHolder<G> {
  identity: string;
  grants: G;
}

/** What one service reads from a token file besides each token's identity and secret. */
export interface TokenFileFormat<G, S> {
  /** The grants of one `tokens` entry (e.g. its `allow` list or `role`); problems start with `at`, e.g. `tokens[2]`. */
  grants(entry: Readonly<Record<string, unknown>>, at: string, problems: string[]): G;
  /** Settings at the top of the file beside `tokens` (e.g. `requireE2eToken`). */
  settings(file: Readonly<Record<string, unknown>>, problems: string[]): S;
}

/** A parsed token file: secrets only as SHA-256 digests. */
export interface TokenTable<G, S> {
  holders: Array<TokenHolder<G> & { digest: Buffer }>;
  settings: S;
}

const MIN_TOKEN_LENGTH = 16;

/**
 * Parses a token file, every problem at once:
 * ```yaml
 * tokens:
 *   - identity: ci-admins
 *     token: "<secret of at least 16 characters>"
 *     ...: the grants the service reads
 * ```
 * Problems name the entry and field, never a token.
 */
export function parseTokenFile<G, S>(text: string, source: string, format: TokenFileFormat<G, S>): TokenTable<G, S> {
  let data: unknown;
  try {
    data = load(text);
  } catch (err) {
    // js-yaml quotes the lines around the error, which may hold a token: keep only its first line.
    throw new FileInvalidError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(data) || !Array.isArray(data.tokens)) throw new FileInvalidError(`${source}: expected a top-level 'tokens' list`);
  const problems: string[] = [];
  const holders: TokenTable<G, S>['holders'] = [];
  data.tokens.forEach((raw: unknown, i: number) => {
    const at = `tokens[${i}]`;
    const entry = isRecord(raw) ? raw : {};
    const before = problems.length;
    if (typeof entry.identity !== 'string' || entry.identity === '') problems.push(`${at}.identity must be a non-empty string`);
    if (typeof entry.token !== 'string' || entry.token.length < MIN_TOKEN_LENGTH) problems.push(`${at}.token must be a string of at least ${MIN_TOKEN_LENGTH} characters`);
    const grants = format.grants(entry, at, problems);
    if (problems.length === before) holders.push({ identity: entry.identity as string, grants, digest: digest(entry.token as string) });
  });
  const settings = format.settings(data, problems);
  if (problems.length) throw new FileInvalidError(`${source}: ${problems.join('; ')}`);
  return { holders, settings };
}

/**
 * Bearer tokens from a mounted Secret file, reloaded when it changes (a bad new file keeps the last good one).
 * Offered tokens are compared in constant time on their SHA-256 digests, against every entry; no token is kept
 * in memory or ever logged. Each service reads its own grants through its {@link TokenFileFormat}.
 */
export class BearerTokens<G, S> extends WatchedFile<TokenTable<G, S>> {
  constructor(path: string, format: TokenFileFormat<G, S>) {
    super(path, (text, source) => parseTokenFile(text, source, format));
  }

  /** The holder of the bearer token in an `Authorization` header; undefined when it carries none; 401 for a token nobody issued. */
  holder(header: string | undefined): TokenHolder<G> | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return undefined;
    const offered = digest(match[1]);
    let found: TokenHolder<G> | undefined;
    for (const holder of this.current().holders) {
      if (timingSafeEqual(holder.digest, offered)) found = holder;
    }
    if (!found) throw new UnauthenticatedError('unknown bearer token');
    return { identity: found.identity, grants: found.grants };
  }

  /** The file-level settings of the token file in use. */
  settings(): S {
    return this.current().settings;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
