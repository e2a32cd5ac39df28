// The shell client against a tiny server that cuts connections or answers as a replica that shuts down does:
// the call is asked again, under dash (the tests of the client against a real cimaster are in the integration tier).
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import clientScript from './client.sh';

/** What the server does with each request, in turn: cut it (52: close without an answer; 56: reset) or answer. */
type Step = 'close' | 'reset' | { status: number; body: string; headers?: Record<string, string> };

interface Script {
  url: string;
  /** Every request's path and query, in order. */
  seen: string[];
  close(): Promise<void>;
}

async function scriptedServer(steps: Step[]): Promise<Script> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    const step = steps.shift() ?? { status: 500, body: 'no more steps' };
    if (step === 'close') return void req.socket.destroy();
    if (step === 'reset') return void req.socket.resetAndDestroy();
    res.writeHead(step.status, { 'content-type': 'text/plain', ...step.headers }).end(step.body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the shell client, when the connection is cut or a replica shuts down', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'client-sh-'));
    script = join(dir, 'cimaster.sh');
    await writeFile(script, clientScript);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function run(server: Script, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn('dash', [script, ...args], { env: { PATH: process.env.PATH, TMPDIR: dir, CIMASTER_URL: server.url, BUILD_ID: '7', JOB_NAME: 'e2e' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stdout, stderr };
  }

  const ok = (body: string): Step => ({ status: 200, body });

  it('asks again when the connection is closed (curl 52) or reset (curl 56) before the answer', async () => {
    const server = await scriptedServer(['close', 'reset', ok('cluster c1 is finished successfully')]);
    try {
      expect(await run(server, ['release', 'c1'])).toEqual({ code: 0, stdout: 'cluster c1 is finished successfully\n', stderr: '' });
      expect(server.seen).toEqual(Array(3).fill('/finishtest?cluster=c1&build=7'));
    } finally {
      await server.close();
    }
  }, 30_000);

  it('acquire asks again when its connection is cut', async () => {
    const server = await scriptedServer(['reset', ok('c1')]);
    try {
      expect(await run(server, ['acquire', '--wait', '60'])).toEqual({ code: 0, stdout: 'c1\n', stderr: '' });
      // The second asks for what is left of the minute (the 2 s pause between tries went by).
      expect(server.seen.filter((u) => u.startsWith('/getvacant'))).toEqual(['/getvacant?build=7&job=e2e&wait=60', expect.stringMatching(/^\/getvacant\?build=7&job=e2e&wait=(5\d|60)$/)]);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('gives up after three cut connections, saying why', async () => {
    const server = await scriptedServer(['close', 'close', 'close']);
    try {
      const got = await run(server, ['heartbeat', 'c1']);
      expect(got).toMatchObject({ code: 4, stdout: '', stderr: expect.stringMatching(/^cimaster\.sh: heartbeat: cannot reach cimaster at http:\/\/127\.0\.0\.1:\d+: curl: \(52\)/) });
      expect(server.seen).toHaveLength(3);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('acquire asks again after Retry-After, for the rest of its wait, when a replica that shuts down ends it with 503', async () => {
    const shuttingDown: Step = { status: 503, body: 'this cimaster replica is shutting down; ask again: another replica will answer', headers: { 'retry-after': '1' } };
    const server = await scriptedServer([shuttingDown, ok('c2')]);
    try {
      const got = await run(server, ['acquire', '--wait', '10m']);
      expect(got).toEqual({ code: 0, stdout: 'c2\n', stderr: 'cimaster.sh: acquire: this cimaster replica is shutting down; ask again: another replica will answer; asking again in 1s\n' });
      const waits = server.seen.filter((u) => u.startsWith('/getvacant')).map((u) => Number(new URL(u, server.url).searchParams.get('wait')));
      expect(waits[0]).toBe(600);
      expect(waits[1]).toBeLessThan(600);
      expect(waits[1]).toBeGreaterThan(500);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('a 503 with Retry-After when the wait is over (no capacity) stands: exit 3, asked once', async () => {
    const noCapacity: Step = { status: 503, body: 'no vacant cluster: 0 free of 1, 0 waiting', headers: { 'retry-after': '30' } };
    const server = await scriptedServer([noCapacity]);
    try {
      expect(await run(server, ['acquire', '--wait', '0'])).toEqual({ code: 3, stdout: '', stderr: 'cimaster.sh: acquire: no vacant cluster: 0 free of 1, 0 waiting\n' });
      expect(server.seen.filter((u) => u.startsWith('/getvacant'))).toHaveLength(1);
    } finally {
      await server.close();
    }
  }, 30_000);
});
