import { runCli } from './cli';

// The ci-stack command: everything but reading argv and env and writing the exit code lives in cli.ts.
runCli(process.argv.slice(2), { env: process.env, io: { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) } }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ci-stack: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
