import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BearerTokens, parseTokenFile, type TokenFileFormat } from './bearer-tokens';
import { FileInvalidError } from './watched-file';

/** A service whose tokens carry a `level` and whose file may set `strict`. */
const format: TokenFileFormat<number, { strict: boolean }> = {
  grants(entry, at, problems) {
    if (typeof entry.level !== 'number') problems.push(`${at}.level must be a number`);
    return entry.level as number;
  },
  settings: (file) => ({ strict: file.strict === true }),
};

describe('parseTokenFile', () => {
  it('reads identities, grants and settings, keeping only digests of the tokens', () => {
    const table = parseTokenFile('strict: true\ntokens:\n  - {identity: ops, token: ops-token-0123456789, level: 2}\n', 'f', format);
    expect(table.settings).toEqual({ strict: true });
    expect(table.holders.map(({ identity, grants }) => ({ identity, grants }))).toEqual([{ identity: 'ops', grants: 2 }]);
    expect(JSON.stringify(table)).not.toContain('ops-token-0123456789');
  });

  it.each([
    ['tokens: 5\n', "f: expected a top-level 'tokens' list"],
    ['- a\n', "f: expected a top-level 'tokens' list"],
    [
      'tokens:\n  - {identity: "", token: short, level: x}\n  - oops\n',
      'f: tokens[0].identity must be a non-empty string; tokens[0].token must be a string of at least 16 characters; tokens[0].level must be a number; tokens[1].identity must be a non-empty string; tokens[1].token must be a string of at least 16 characters; tokens[1].level must be a number',
    ],
  ])('rejects %j naming every problem', (text, message) => {
    expect(() => parseTokenFile(text, 'f', format)).toThrow(message);
  });

  it('never names a token in a problem', () => {
    expect(() => parseTokenFile('tokens:\n  - {identity: ops, token: ops-token-0123456789, level: x}\n', 'f', format)).toThrow(/^f: tokens\[0\]\.level must be a number$/);
  });

  it('never quotes the file when it is not YAML (the lines around the error may hold a token)', () => {
    const text = 'tokens:\n  - {identity: ops, token: ops-token-0123456789, level: 2\n  - x: [\n';
    expect(() => parseTokenFile(text, 'f', format)).toThrow(FileInvalidError);
    expect(() => parseTokenFile(text, 'f', format)).toThrow(/^f: not valid YAML: deficient indentation \(3:3\)$/);
  });
});

describe('BearerTokens', () => {
  let dir: string;
  let tokens: BearerTokens<number, { strict: boolean }>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokens-'));
    await writeFile(join(dir, 'tokens.yaml'), 'tokens:\n  - {identity: ops, token: ops-token-0123456789, level: 2}\n  - {identity: constructor, token: ctor-token-0123456789, level: 1}\n');
    tokens = new BearerTokens(join(dir, 'tokens.yaml'), format);
    await tokens.start();
  });
  afterEach(async () => {
    tokens.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the holder of a bearer token; no bearer token is undefined; an unknown one is 401', () => {
    expect(tokens.holder('Bearer ops-token-0123456789')).toEqual({ identity: 'ops', grants: 2 });
    expect(tokens.holder('bearer  ctor-token-0123456789 ')).toEqual({ identity: 'constructor', grants: 1 });
    expect(tokens.holder(undefined)).toBeUndefined();
    expect(tokens.holder('Basic b3BzOnB3')).toBeUndefined();
    expect(() => tokens.holder('Bearer not-a-token-0123456789')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', message: 'unknown bearer token' }));
    expect(tokens.settings()).toEqual({ strict: false });
  });

  it('keeps the last good file when a new one is bad, and reports why', async () => {
    await writeFile(join(dir, 'tokens.yaml'), 'tokens:\n  - {identity: ops, token: short, level: 2}\n');
    await tokens.reload();
    expect(tokens.lastError).toContain('tokens[0].token must be a string of at least 16 characters');
    expect(tokens.holder('Bearer ops-token-0123456789')?.identity).toBe('ops');
  });
});
