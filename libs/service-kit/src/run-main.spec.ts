import { DomainError, OptionsError, parseOptions } from '@ci-stack/core';
import { runMain, type MainSpec } from './run-main';

const FLAGS = [{ name: 'port', env: 'PORT', type: 'int', default: 8080, min: 1, help: 'API port.' }] as const;

async function run(argv: string[], start: MainSpec<{ port: number }>['start'], explain?: MainSpec<unknown>['explain']) {
  const out: string[] = [];
  const err: string[] = [];
  const exits: number[] = [];
  await runMain({
    service: 'svc',
    argv,
    env: {},
    loadOptions: (a, e) => parseOptions({ name: 'svc', specs: FLAGS }, a, e),
    start,
    explain,
    io: { out: (t) => out.push(t), err: (t) => err.push(t), exit: (c) => exits.push(c) },
  });
  return { out: out.join(''), err: err.join(''), exits };
}

describe('runMain', () => {
  it('starts the service with its parsed options', async () => {
    const started: number[] = [];
    expect(await run(['--port=81'], async (o) => void started.push(o.port))).toEqual({ out: '', err: '', exits: [] });
    expect(started).toEqual([81]);
  });

  it('prints --help without starting', async () => {
    const result = await run(['--help'], () => Promise.reject(new Error('started')));
    expect(result.out).toContain('--port int   env PORT');
    expect(result.exits).toEqual([]);
  });

  it.each([
    [['--port=0'], new Error('unused'), undefined, 'svc: invalid options:\n  --port: must be an integer between 1 and unbounded, got "0"\nRun with --help for the list of flags.\n'],
    [[], new DomainError('unavailable', 'STORE_UNAVAILABLE', 'store unreachable'), undefined, 'svc: store unreachable\n'],
    [[], new OptionsError(['late']), undefined, 'svc: invalid options:\n  late\nRun with --help for the list of flags.\n'],
    [[], new RangeError('bad'), (e: unknown) => (e instanceof RangeError ? 'explained' : undefined), 'svc: explained\n'],
  ])('%j failing with %s prints one message and exits 2', async (argv, failure, explain, message) => {
    expect(await run(argv, () => Promise.reject(failure), explain)).toEqual({ out: '', err: message, exits: [2] });
  });

  it('prints the stack of an unexpected failure', async () => {
    const { err, exits } = await run([], () => Promise.reject(new TypeError('boom')));
    expect(err).toMatch(/^svc: TypeError: boom\n\s+at /);
    expect(exits).toEqual([2]);
  });
});
