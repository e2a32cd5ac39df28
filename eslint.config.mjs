import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Runtime packages only some layers may import. The domain runs anywhere: no HTTP server, logger or metrics
// library, no Kubernetes or Redis client (and the core's bundle test keeps it free of any runtime dependency).
// Data access reports through hooks rather than logging or metrics. Contracts describe HTTP; the CLI bundles them,
// so they carry no server framework either.
const KUBE_AND_REDIS = ['@kubernetes/client-node', 'ioredis'];
const CHASSIS_PACKAGES = ['express', 'pino', 'prom-client'];
const bannedImports = [
  { tag: 'type:util', banned: KUBE_AND_REDIS },
  { tag: 'type:domain', banned: [...KUBE_AND_REDIS, ...CHASSIS_PACKAGES, 'js-yaml'] },
  { tag: 'type:contract', banned: [...KUBE_AND_REDIS, ...CHASSIS_PACKAGES] },
  { tag: 'type:data-access', banned: CHASSIS_PACKAGES },
  { tag: 'type:chassis', banned: KUBE_AND_REDIS },
  { tag: 'type:app', banned: KUBE_AND_REDIS },
];

// Browser code: nothing of Node's servers or clients may be bundled into a console.
const serverOnly = ['@kubernetes/client-node', 'ioredis', 'express', 'pino', 'prom-client', 'js-yaml', 'node:*'];

export default [
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/*.cjs', '**/*.mjs', 'tools/kube-env/go/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers: apps and tools sit on the HTTP chassis, data access, domain, contracts and utilities; nothing
            // reaches upwards.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:chassis', 'type:data-access', 'type:domain', 'type:contract', 'type:util'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:chassis', 'type:data-access', 'type:domain', 'type:contract', 'type:util'] },
            // The integration tier and the benchmarks drive the services as processes, with tools to start the stack.
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:contract', 'type:util', 'type:tool'] },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:contract', 'type:util', 'type:tool'] },
            // The Helm chart's tests render it with the helm that kube-env builds.
            { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:tool'] },
            // The chassis (express, pino, prom-client) builds on the dependency-free core only.
            { sourceTag: 'type:chassis', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
            // Domain libraries hold pure business rules and declare the interfaces data access implements.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            // A service's HTTP contract (routes, schemas, document, typed client): both services, their callers and
            // the CLI share it, so one service never needs the other's code.
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract', 'type:util'] },
            // The web consoles run in the browser: they build on browser libraries and take their service's types from
            // its contract (type imports only: build-console.mjs refuses a bundle with the contract's code in it).
            { sourceTag: 'type:console', onlyDependOnLibsWithTags: ['type:ui', 'type:contract'], bannedExternalImports: serverOnly },
            { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:ui'], bannedExternalImports: serverOnly },
            // Services talk HTTP: neither may import the other's code.
            { sourceTag: 'scope:manual-trigger', onlyDependOnLibsWithTags: ['scope:manual-trigger', 'scope:shared'] },
            { sourceTag: 'scope:cimaster', onlyDependOnLibsWithTags: ['scope:cimaster', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The integration tier exercises the whole stack; it runs the services as processes, never imports them.
            { sourceTag: 'scope:stack', onlyDependOnLibsWithTags: ['scope:manual-trigger', 'scope:cimaster', 'scope:shared'] },
            ...bannedImports.map(({ tag, banned }) => ({ sourceTag: tag, bannedExternalImports: banned })),
          ],
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      complexity: ['warn', 12],
      'max-depth': ['warn', 3],
      'max-params': ['warn', 4],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/testing.ts', '**/testing/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'max-lines': 'off',
      'max-params': 'off',
      complexity: 'off',
    },
  },
];
