import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const kubeAndRedis = [
  { tag: 'type:util', bannedExternalImports: ['@kubernetes/client-node', 'ioredis'] },
  { tag: 'type:feature', bannedExternalImports: ['@kubernetes/client-node', 'ioredis'] },
  { tag: 'type:domain', bannedExternalImports: ['@kubernetes/client-node', 'ioredis', 'express'] },
  { tag: 'type:app', bannedExternalImports: ['@kubernetes/client-node', 'ioredis'] },
  // Contracts describe HTTP; the CLI bundles them, so they carry no server framework either.
  { tag: 'type:contract', bannedExternalImports: ['@kubernetes/client-node', 'ioredis', 'express'] },
];

export default [
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/*.cjs', '**/*.mjs', 'tools/kube-env/go/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers: apps sit on features, data access and utilities; nothing reaches upwards.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:contract', 'type:util'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:contract', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:contract', 'type:util', 'type:tool'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
            // Domain libraries hold pure business rules and declare the interfaces data access implements.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            // A service's HTTP contract (routes, schemas, document, typed client): both services, their callers and
            // the CLI share it, so one service never needs the other's code.
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract', 'type:util'] },
            // Services talk HTTP: neither may import the other's code.
            { sourceTag: 'scope:manual-trigger', onlyDependOnLibsWithTags: ['scope:manual-trigger', 'scope:shared'] },
            { sourceTag: 'scope:cimaster', onlyDependOnLibsWithTags: ['scope:cimaster', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The integration tier exercises the whole stack; it runs the services as processes, never imports them.
            { sourceTag: 'scope:stack', onlyDependOnLibsWithTags: ['scope:manual-trigger', 'scope:cimaster', 'scope:shared'] },
            ...kubeAndRedis.map(({ tag, bannedExternalImports }) => ({ sourceTag: tag, bannedExternalImports })),
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
