import { Writable } from 'node:stream';
import { createLogger } from './logger';

it('writes JSON with the service name and redacts secrets', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ service: 'svc', destination });
  logger.info({ token: 'hunter2', req: { headers: { authorization: 'Bearer hunter2' } } }, 'hello');
  const line = JSON.parse(lines[0]);
  expect(line).toMatchObject({ service: 'svc', level: 'info', msg: 'hello', token: '[redacted]' });
  expect(lines[0]).not.toContain('hunter2');
});
