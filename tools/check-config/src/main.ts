import { runCheckConfig } from './check';

runCheckConfig(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`check-config failed: ${err.message}\n`);
    process.exitCode = 1;
  },
);
