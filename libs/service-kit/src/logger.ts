import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
const REDACT = [
  'token',
  'password',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.token',
  '*.password',
];

/** A JSON logger with a `service` field; secrets under well-known keys are redacted. */
export function createLogger(opts: { service: string; level?: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? process.stdout,
  );
}
