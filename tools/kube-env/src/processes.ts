import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freePort } from '@ci-stack/core/testing';

export { freePort };

/** A child process whose output is kept (the last 64 KiB) for error messages. */
export interface Managed {
  name: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

const running = new Set<Managed>();
const dirs = new Set<string>();
let exitHookInstalled = false;

/** Kills whatever is still running and removes temp dirs when this process exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanUp = () => {
    for (const m of running) m.child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(code);
    });
  }
}

/** A temp dir (certificates, tokens, etcd data) to remove on exit if nothing removed it before. */
export function removeOnExit(dir: string): void {
  installExitHook();
  dirs.add(dir);
}

export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Managed {
  installExitHook();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let buffer = '';
  const keep = (d: Buffer) => {
    buffer = (buffer + d.toString()).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => (buffer += `\n${name}: ${err.message}`));
  const managed: Managed = {
    name,
    child,
    output: () => buffer,
    stop: async () => {
      running.delete(managed);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
  running.add(managed);
  return managed;
}

/** Polls `check` until it returns true; fails with the process output if the process dies or time runs out. */
export async function waitUntil(what: string, check: () => Promise<boolean>, opts: { timeoutMs: number; process?: Managed }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  for (;;) {
    const proc = opts.process?.child;
    if (proc && (proc.exitCode !== null || proc.signalCode !== null)) {
      throw new Error(`${opts.process?.name} exited (${proc.exitCode ?? proc.signalCode}) while waiting for ${what}:\n${opts.process?.output()}`);
    }
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}\n${opts.process?.output() ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
