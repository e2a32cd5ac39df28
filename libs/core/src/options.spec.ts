import { OptionsError, parseOptions, type OptionSpec, type OptionsOf } from './options';

const specs = [
  { name: 'config-path', env: 'CONFIG_PATH', type: 'string', help: 'Prow config.yaml', required: true },
  { name: 'port', env: 'PORT', type: 'int', default: 8080, min: 1, max: 65535, help: 'API port' },
  { name: 'dry-run', env: 'DRY_RUN', type: 'bool', default: false, help: 'create nothing' },
  { name: 'build-id-timeout', env: 'BUILD_ID_TIMEOUT', type: 'duration', default: 15_000, help: 'wait for build id' },
  { name: 'allowed-env', env: 'ALLOWED_ENV', type: 'list', default: [], help: 'env names callers may set' },
  { name: 'store', env: 'STORE', type: 'string', default: 'file', choices: ['file', 'memory'], help: 'pool store' },
  { name: 'deck-url', env: 'DECK_URL', type: 'url', help: 'Deck base URL' },
  { name: 'token', env: 'TOKEN', type: 'string', secret: true, help: 'a secret' },
] as const satisfies readonly OptionSpec[];

type Opts = OptionsOf<typeof specs>;

function values(argv: string[], env: Record<string, string> = {}): Opts {
  const parsed = parseOptions({ name: 'svc', specs }, argv, env);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.values;
}

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    parseOptions({ name: 'svc', specs }, argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(OptionsError);
    return (err as OptionsError).problems;
  }
  throw new Error('expected OptionsError');
}

describe('parseOptions', () => {
  it.each([
    [['--config-path=c.yaml'], {}, { configPath: 'c.yaml', port: 8080, dryRun: false, buildIdTimeout: 15_000 }],
    [['--config-path', 'c.yaml', '--port', '9000'], {}, { port: 9000 }],
    [['-config-path', 'c.yaml', '--dry-run'], {}, { dryRun: true }],
    [['--config-path=c', '--dry-run=false'], { DRY_RUN: 'true' }, { dryRun: false }],
    [[], { CONFIG_PATH: 'env.yaml', PORT: '81', DRY_RUN: 'true' }, { configPath: 'env.yaml', port: 81, dryRun: true }],
    [['--config-path=flag.yaml'], { CONFIG_PATH: 'env.yaml' }, { configPath: 'flag.yaml' }],
    [['--config-path=c', '--build-id-timeout=1h30m'], {}, { buildIdTimeout: 5_400_000 }],
    [['--config-path=c', '--build-id-timeout=250ms'], {}, { buildIdTimeout: 250 }],
    [['--config-path=c', '--allowed-env=A, B,,C'], {}, { allowedEnv: ['A', 'B', 'C'] }],
    [['--config-path=c', '--deck-url=https://prow.example.com/'], {}, { deckUrl: 'https://prow.example.com' }],
    [['--config-path=c'], { PORT: '' }, { port: 8080 }],
  ])('%j with env %j', (argv, env, expected) => {
    expect(values(argv, env)).toMatchObject(expected);
  });

  it('reports every problem at once', () => {
    expect(problems(['--port=0', '--dry-run=maybe', '--build-id-timeout=soon', '--store=s3', '--bogus', 'stray', '--deck-url=ftp://x'])).toEqual([
      'unknown flag --bogus (see --help)',
      'unexpected argument "stray" (flags look like --name=value)',
      '--config-path (or CONFIG_PATH) is required: Prow config.yaml',
      '--port: must be an integer between 1 and 65535, got "0"',
      '--dry-run: must be true or false, got "maybe"',
      '--build-id-timeout: must be a duration like 500ms, 15s or 6h, got "soon"',
      '--store: must be one of file, memory, got "s3"',
      '--deck-url: must be an http(s) URL, got "ftp://x"',
    ]);
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(problems(['--config-path=c'], { PORT: 'eighty' })).toEqual(['PORT: must be an integer between 1 and 65535, got "eighty"']);
  });

  it('never echoes a secret value', () => {
    const secretSpecs = [{ name: 'token', env: 'TOKEN', type: 'int', secret: true, help: 'x' }] as const;
    expect(() => parseOptions({ name: 'svc', specs: secretSpecs }, ['--token=s3cr3t'], {})).toThrow('--token: must be an integer, got [redacted]');
  });

  it('a flag missing its value is an error', () => {
    expect(problems(['--config-path=c', '--port'])).toEqual(['--port: needs a value']);
  });

  it('--help lists every flag with its env var and default', () => {
    const parsed = parseOptions({ name: 'svc', specs }, ['--port=x', '--help'], {});
    expect(parsed.help).toBe(true);
    const text = parsed.help ? parsed.text : '';
    for (const spec of specs) {
      expect(text).toContain(`--${spec.name}`);
      expect(text).toContain(`env ${spec.env}`);
    }
    expect(text).toContain('(default 15s)');
    expect(text).toContain('[file|memory]');
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(values(['--config-path=c']))).toBe(true);
  });

  it('derives the value types from the specs: choices, required and defaulted flags', () => {
    const opts = values(['--config-path=c', '--store=memory']);
    const store: 'file' | 'memory' = opts.store;
    const configPath: string = opts.configPath;
    const port: number = opts.port;
    const deckUrl: string | undefined = opts.deckUrl;
    expect([store, configPath, port, deckUrl]).toEqual(['memory', 'c', 8080, undefined]);
  });

  it('reports problems of the cross check together with the others, on the options that parsed', () => {
    const check = (o: Partial<Opts>): string[] => (o.dryRun && !o.deckUrl ? ['--deck-url is required with --dry-run'] : []);
    const run = (argv: string[]) => () => parseOptions({ name: 'svc', specs, check }, argv, {});
    expect(run(['--dry-run', '--port=0'])).toThrow(new OptionsError(['--config-path (or CONFIG_PATH) is required: Prow config.yaml', '--port: must be an integer between 1 and 65535, got "0"', '--deck-url is required with --dry-run']));
    expect(run(['--config-path=c', '--dry-run', '--deck-url=http://deck'])()).toMatchObject({ help: false });
  });

  it('refuses groups that declare a flag or variable twice', () => {
    const twice = [...specs, { name: 'other-port', env: 'PORT', type: 'int', help: 'again' }] as const;
    expect(() => parseOptions({ name: 'svc', specs: twice }, [], {})).toThrow('option PORT is declared twice');
  });
});
