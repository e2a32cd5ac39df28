// The images must ship exactly what the tests start: dist/apps/<app>/main.js from tools/scripts/build-app.mjs, with
// the console tools/scripts/build-console.mjs builds beside it in ui/.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CHART } from './render';

const ROOT = join(CHART, '..', '..');

describe.each(['manual-trigger', 'cimaster'])('the %s image', (app) => {
  let dockerfile: string;
  beforeAll(async () => {
    dockerfile = await readFile(join(ROOT, 'apps', app, 'Dockerfile'), 'utf8');
  });

  it('builds the bundle and the console with the scripts the tests use and copies only them', () => {
    expect(dockerfile).toContain(`node tools/scripts/build-app.mjs apps/${app}`);
    expect(dockerfile).toContain(`node tools/scripts/build-console.mjs apps/${app}-console dist/apps/${app}/ui`);
    const copies = dockerfile.split('\n').filter((l) => l.startsWith('COPY --from=build'));
    expect(copies).toEqual([
      `COPY --from=build --chown=1000:1000 /src/dist/apps/${app}/main.js /src/dist/apps/${app}/main.js.LEGAL.txt /src/dist/apps/${app}/package.json /app/`,
      `COPY --from=build --chown=1000:1000 /src/dist/apps/${app}/ui /app/ui`,
    ]);
    expect(dockerfile).toMatch(/ENTRYPOINT \["\/nodejs\/bin\/node", "\/app\/main.js"\]\n/);
  });

  it('runs as UID 1000 on a distroless Node 20 base, multi-stage', () => {
    const froms = dockerfile.split('\n').filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual(['FROM node:20.20-bookworm-slim AS build', 'FROM gcr.io/distroless/nodejs20-debian12:nonroot']);
    expect(dockerfile).toMatch(/\nUSER 1000:1000\n/);
  });

  it('is the image the chart deploys', async () => {
    const values = load(await readFile(join(CHART, 'values.yaml'), 'utf8')) as Record<string, { image: { repository: string } }>;
    const key = app === 'manual-trigger' ? 'manualTrigger' : 'cimaster';
    expect(values[key].image.repository).toBe(app);
  });
});

it('.dockerignore keeps the build context to sources', async () => {
  const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n');
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  expect(ignored).not.toContain('apps');
  expect(ignored).not.toContain('libs');
});
