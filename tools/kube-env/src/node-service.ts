import { type Managed, freePort, startProcess, waitUntil } from './processes';

export interface NodeService {
  url: string;
  metricsUrl: string;
  process: Managed;
  stop(): Promise<void>;
}

/**
 * Runs a Node service bundle on loopback with free API and metrics ports (our services' `--host`, `--port`,
 * `--metrics-port` and `--log-level` flags) and waits until `readyPath` answers 2xx.
 */
export async function startNodeService(
  script: string,
  args: string[],
  opts: { name?: string; readyPath?: string; logLevel?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<NodeService> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const name = opts.name ?? script;
  const proc = startProcess(
    name,
    process.execPath,
    [script, '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(metricsPort), '--log-level', opts.logLevel ?? 'warn', ...args],
    { ...process.env, ...opts.env },
  );
  const url = `http://127.0.0.1:${port}`;
  const readyPath = opts.readyPath ?? '/readyz';
  await waitUntil(`${name} ${readyPath}`, async () => (await fetch(url + readyPath, { signal: AbortSignal.timeout(2_000) })).ok, { timeoutMs: 30_000, process: proc });
  return { url, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: proc, stop: () => proc.stop() };
}
