import { Command, CommanderError, Option } from 'commander';
import { ApiError, MalformedAnswerError, UnreachableError } from '@ci-stack/http-contract';
import { formatGoDuration } from '@ci-stack/core';
import { bashCompletion, zshCompletion } from './completion';
import { Context } from './context';
import { JobFailedError } from './follow';
import { jobsCommands } from './jobs-commands';
import { fields, type Io } from './output';
import { poolCommands } from './pool-commands';
import { UsageError, loadSettings, type GlobalFlags } from './settings';

/** Exit codes (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 4, malformed: 5 } as const;

export interface CliDeps {
  env: Record<string, string | undefined>;
  io: Io;
  /** For testing. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const VERSION = '0.1.0';

/** The `ci-stack` command tree. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('ci-stack')
    .description('Admin and script client for cimaster (the e2e cluster pool) and manual-trigger (ProwJobs).')
    .version(VERSION)
    .option('--cimaster-url <url>', 'cimaster base URL (env CIMASTER_URL)')
    .option('--cimaster-token-file <file>', 'file holding the cimaster token (env CIMASTER_TOKEN, CIMASTER_TOKEN_FILE)')
    .option('--manual-trigger-url <url>', 'manual-trigger base URL (env MANUAL_TRIGGER_URL)')
    .option('--manual-trigger-token-file <file>', 'file holding the manual-trigger token (env MANUAL_TRIGGER_TOKEN, MANUAL_TRIGGER_TOKEN_FILE)')
    .option('--config <file>', 'config file (default $XDG_CONFIG_HOME/ci-stack/config.yaml or ~/.config/ci-stack/config.yaml)')
    .addOption(new Option('-o, --output <format>', 'table (default) or json').choices(['table', 'json']))
    .option('--timeout <duration>', 'deadline of each call', '30s');
  program.addCommand(poolCommands(ctx));
  program.addCommand(jobsCommands(ctx));
  program
    .command('completion')
    .description('print a shell completion script: source <(ci-stack completion bash)')
    .addArgument(program.createArgument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: string) => ctx.io.out(shell === 'zsh' ? zshCompletion(program) : bashCompletion(program)));
  program
    .command('config')
    .description('show the URLs in use and where the tokens come from (never the tokens)')
    .action(() => {
      const s = ctx.settings;
      const row = (e: typeof s.cimaster): string => (e.url ? `${e.url} (from ${e.urlSource})` : 'not set');
      ctx.print(
        () => fields([['config file', s.configFile], ['cimaster', row(s.cimaster)], ['cimaster token', s.cimaster.tokenSource ?? 'none'], ['manual-trigger', row(s.manualTrigger)], ['manual-trigger token', s.manualTrigger.tokenSource ?? 'none'], ['output', s.output], ['timeout', formatGoDuration(s.timeoutMs * 1e6)]]),
        { config_file: s.configFile, cimaster: { url: s.cimaster.url ?? null, token_source: s.cimaster.tokenSource ?? null }, manual_trigger: { url: s.manualTrigger.url ?? null, token_source: s.manualTrigger.tokenSource ?? null }, output: s.output, timeout_ms: s.timeoutMs },
      );
    });
  forEachCommand(program, (cmd) => cmd.exitOverride().showHelpAfterError().configureOutput({ writeOut: ctx.io.out, writeErr: ctx.io.err }));
  return program;
}

/** Commands built apart and added (pool, jobs) do not inherit settings: apply them to the whole tree. */
function forEachCommand(cmd: Command, apply: (c: Command) => void): void {
  apply(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, apply);
}

/** Runs one command line; returns the exit code. Every failure is one line on stderr, never a stack trace. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const ctx = new Context(deps.io, { fetch: deps.fetch, sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))) });
  const program = buildProgram(ctx);
  program.hook('preAction', async (_program, action) => {
    ctx.settings = await loadSettings(action.optsWithGlobals<GlobalFlags>(), deps.env);
    for (const w of ctx.settings.warnings) deps.io.err(`ci-stack: warning: ${w}\n`);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return failure(err, deps.io);
  }
}

function failure(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // Help and version asked for are success; anything else commander refused is bad usage (it printed the usage).
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const say = (message: string): void => io.err(`ci-stack: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (err instanceof UsageError) {
    say(err.message);
    return EXIT.usage;
  }
  if (err instanceof ApiError) {
    say(`${err.message} (HTTP ${err.status}${err.code ? ` ${err.code}` : ''})`);
    return EXIT.failed;
  }
  if (err instanceof JobFailedError) {
    say(err.message);
    return EXIT.failed;
  }
  if (err instanceof UnreachableError) {
    say(err.message);
    return EXIT.unreachable;
  }
  if (err instanceof MalformedAnswerError) {
    say(err.message);
    return EXIT.malformed;
  }
  say(`unexpected failure: ${(err as Error)?.message ?? String(err)}`);
  return EXIT.failed;
}
