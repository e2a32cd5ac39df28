import { createServer } from 'node:net';
import type { Clock } from './clock';
import type { ParsedOptions } from './options';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date = new Date('2026-01-01T00:00:00Z')) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(date: Date): void {
    this.current = date.getTime();
  }
}

/** A free TCP port on loopback, for servers that tests and benchmarks start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The values of parsed options, failing when `--help` was asked for instead. */
export function parsedValues<T>(parsed: ParsedOptions<T>): T {
  if (parsed.help) throw new Error('expected option values, got --help');
  return parsed.values;
}
