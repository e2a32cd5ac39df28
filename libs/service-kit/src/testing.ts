import pino, { type Logger } from 'pino';

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger that keeps every line as parsed JSON, for asserting on logs (e.g. that tokens never appear). */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; text(): string } {
  const raw: string[] = [];
  const destination = { write: (chunk: string) => raw.push(chunk) } as unknown as NodeJS.WritableStream;
  const logger = pino({ level: 'debug' }, destination as pino.DestinationStream);
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}
