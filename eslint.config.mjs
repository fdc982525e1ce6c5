// ESLint for the whole repository (`npm run lint`): TypeScript's recommended rules everywhere, the
// module boundaries of docs/architecture.md between packages, and every import declared in its own
// package's package.json. Formatting is Prettier's job (`npm run format`), so no stylistic rules.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import { readFileSync } from 'node:fs';
import tseslint from 'typescript-eslint';

/** Which tag may depend on which (also read by scripts/check-graph.ts, which checks `nx graph`'s output). */
const { depConstraints } = JSON.parse(readFileSync(new URL('./scripts/module-boundaries.json', import.meta.url), 'utf8'));

/** The projects' own code: packages/* and apps/*. */
const projectFiles = ['packages/*/**/*.{ts,js,mjs}', 'apps/*/**/*.{ts,js,mjs}'];
/** Specs and test helpers may use what their package lists in devDependencies. */
const testFiles = ['**/*.spec.ts', '**/test/**'];

export default defineConfig(
  { ignores: ['**/node_modules/', '.nx/', '.venv/', '.venv-keras/', '.venv-bench/', '.cache/', 'runs/', 'tmp/', '**/dist/'] },

  js.configs.recommended,
  tseslint.configs.recommended,
  // Plain JavaScript files (the `elbo` bin script, this config) run on Node; TypeScript knows its globals from @types/node.
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
  {
    rules: {
      // The code's convention: a `_name` is left unused on purpose (a key dropped by a rest destructuring,
      // a parameter an interface requires but this implementation does not read).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },

  // Module boundaries by tag (each package.json's nx.tags): compute → compute; core, services and plugins →
  // core, compute (no plugin imports another); the app → anything.
  {
    files: projectFiles,
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints,
        },
      ],
    },
  },

  // Every import (types and workspace packages included) is declared in the importing file's own
  // package.json; only specs and test helpers may use devDependencies. Node built-ins are exempt.
  {
    files: projectFiles,
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json', '.node'] })] },
    rules: {
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: testFiles, includeInternal: true, includeTypes: true }],
    },
  },

  prettier,
);
