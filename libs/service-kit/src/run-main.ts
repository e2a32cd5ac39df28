import { DomainError, OptionsError, type ParsedOptions } from '@ci-stack/core';

/** What a service's `main.ts` hands to {@link runMain}. */
export interface MainSpec<T> {
  service: string;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  loadOptions: (argv: readonly string[], env: Readonly<Record<string, string | undefined>>) => ParsedOptions<T>;
  /** Builds clients, calls `createApp`, listens; resolves once the service serves. */
  start: (options: T) => Promise<void>;
  /** Describes a start-up failure the service knows better (e.g. every problem of a bad config); undefined for the default. */
  explain?: (err: unknown) => string | undefined;
  /** For testing. */
  io?: { out(text: string): void; err(text: string): void; exit(code: number): void };
}

/**
 * The frame of every service's `main`: `--help` prints the flags; bad options, or a failure to start, print one
 * message prefixed with the service name and exit with code 2. Domain errors carry a message meant for people;
 * anything else is printed with its stack.
 */
export async function runMain<T>(spec: MainSpec<T>): Promise<void> {
  const io = spec.io ?? { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), exit: (code) => process.exit(code) };
  try {
    const parsed = spec.loadOptions(spec.argv, spec.env);
    if (parsed.help) {
      io.out(parsed.text);
      return;
    }
    await spec.start(parsed.values);
  } catch (err) {
    io.err(`${spec.service}: ${describe(err, spec.explain)}\n`);
    io.exit(2);
  }
}

function describe(err: unknown, explain: ((err: unknown) => string | undefined) | undefined): string {
  if (err instanceof OptionsError) return `${err.message}\nRun with --help for the list of flags.`;
  const explained = explain?.(err);
  if (explained !== undefined) return explained;
  if (err instanceof DomainError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
