import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileResult, JobFileProcessor } from './job-files';
import type { Preset } from './merge';
import type { WorkerReply, WorkerRequest } from './parse-worker';

/** How to start the loader's worker thread. */
export interface WorkerScript {
  file: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/** The file name of the bundled worker, which the bundling script writes next to a service's main.js. */
export const WORKER_BUNDLE = 'prow-config-worker.js';

/**
 * The worker script: the bundled one next to this code, or, when running from the TypeScript sources (tests),
 * the source compiled on the fly by tsx. Undefined when neither is there: the loader then works on its own thread.
 */
export function findWorkerScript(dir = __dirname): WorkerScript | undefined {
  if (existsSync(join(dir, WORKER_BUNDLE))) return { file: join(dir, WORKER_BUNDLE) };
  const source = join(dir, 'parse-worker.ts');
  const tsconfig = join(dir, '..', '..', '..', 'tsconfig.base.json');
  if (!existsSync(source) || !existsSync(tsconfig)) return undefined;
  try {
    return { file: source, execArgv: ['--require', require.resolve('tsx/cjs')], env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig } };
  } catch {
    return undefined;
  }
}

/** One worker thread and the answers it owes. */
class WorkerHandle {
  private readonly worker: Worker;
  private waiting?: { onReply: (reply: WorkerReply) => boolean; resolve: () => void; reject: (err: Error) => void };

  constructor(script: WorkerScript) {
    this.worker = new Worker(script.file, { execArgv: script.execArgv, env: script.env });
    this.worker.on('message', (reply: WorkerReply) => this.receive(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`config loader worker exited with code ${code}`)));
  }

  /** Sends a request; `onReply` sees each answer and returns true once the last one has come. */
  ask(request: WorkerRequest, onReply: (reply: WorkerReply) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting = { onReply, resolve, reject };
      this.worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private receive(reply: WorkerReply): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (reply.kind === 'failed') return this.fail(new Error(`config loader worker failed: ${reply.message}`));
    if (waiting.onReply(reply)) {
      this.waiting = undefined;
      waiting.resolve();
    }
  }

  private fail(err: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(err);
  }
}

/** Both passes on one worker thread; this thread only sends the files and collects. */
export function workerProcessor(script: WorkerScript): JobFileProcessor {
  const handle = new WorkerHandle(script);
  return {
    async scan(files) {
      const presets = new Array<Preset[]>(files.length);
      await handle.ask({ kind: 'scan', files: files.map((file, i): [number, string] => [i, file]) }, (reply) => {
        if (reply.kind === 'scanned') for (const [index, found] of reply.presets) presets[index] = found;
        return true;
      });
      return presets;
    },
    async finish(settings, keepJobs) {
      const results: FileResult[] = [];
      await handle.ask({ kind: 'finish', settings, keepJobs }, (reply) => {
        if (reply.kind !== 'finished') return false;
        for (const [index, result] of JSON.parse(reply.json) as Array<[number, FileResult]>) results[index] = result;
        return reply.last;
      });
      return results;
    },
    close: () => handle.stop(),
  };
}
