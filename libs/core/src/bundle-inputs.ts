// For tests only, and apart from ./testing so that nothing which loads the other test helpers bundles esbuild.
import { join } from 'node:path';

/**
 * The files esbuild bundles for an entry point, relative to the workspace root, for tests that keep a library's
 * dependencies in check (e.g. that a domain library loads no HTTP framework).
 */
export async function bundledInputs(entry: string): Promise<string[]> {
  const { build } = await import('esbuild');
  const root = join(__dirname, '../../..');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    tsconfig: join(root, 'tsconfig.base.json'),
  });
  return Object.keys(result.metafile.inputs);
}
