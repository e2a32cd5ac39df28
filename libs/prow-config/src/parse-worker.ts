// A worker thread of the config loader: scans the job config files it is given (first pass), keeping their
// text, then finishes them once the loader sends every preset (second pass). See worker-processor.ts.
import { parentPort } from 'node:worker_threads';
import type { FinalizeSettings } from './finalize';
import { finishFile, scanFile, type HeldFile } from './job-files';
import type { Preset } from './merge';

/** What the loader asks of a worker. */
export type WorkerRequest =
  | { kind: 'scan'; files: Array<[index: number, file: string]> }
  | { kind: 'finish'; settings: FinalizeSettings | undefined; keepJobs: boolean };

/** What a worker answers; finished files come as JSON text, which the loader reads faster than a structured clone. */
export type WorkerReply =
  | { kind: 'scanned'; presets: Array<[index: number, presets: Preset[]]> }
  | { kind: 'finished'; json: string; last: boolean }
  | { kind: 'failed'; message: string };

/** Files per finished message: small messages keep the loader's thread free between them. */
const FINISHED_PER_MESSAGE = 24;

const held = new Map<number, HeldFile>();

function handle(request: WorkerRequest): void {
  if (request.kind === 'scan') {
    const presets: Array<[number, Preset[]]> = [];
    for (const [index, file] of request.files) {
      const scanned = scanFile(file);
      held.set(index, scanned.held);
      presets.push([index, scanned.presets]);
    }
    reply({ kind: 'scanned', presets });
    return;
  }
  const indexes = [...held.keys()].sort((a, b) => a - b);
  for (let i = 0; i < indexes.length || i === 0; i += FINISHED_PER_MESSAGE) {
    const chunk = indexes.slice(i, i + FINISHED_PER_MESSAGE).map((index) => {
      const result = finishFile(held.get(index) ?? { file: '' }, request.settings, request.keepJobs);
      held.delete(index);
      return [index, result];
    });
    reply({ kind: 'finished', json: JSON.stringify(chunk), last: i + FINISHED_PER_MESSAGE >= indexes.length });
  }
}

function reply(message: WorkerReply): void {
  parentPort?.postMessage(message);
}

parentPort?.on('message', (request: WorkerRequest) => {
  try {
    handle(request);
  } catch (err) {
    reply({ kind: 'failed', message: (err as Error).stack ?? String(err) });
  }
});
