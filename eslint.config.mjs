// Lint rules for the whole workspace. The module-boundary rule is what keeps the architecture
// honest: domain libraries stay pure, and one bounded context never reaches into another's internals.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.local/**', '.nx/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers: apps are entry points (main.ts, command-line tools) that start a service library;
            // a service library composes the layers below it; infrastructure libraries never know about
            // domains; domain libraries are pure and import only other domain or shared code.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:service', 'type:domain', 'type:infra', 'type:contracts', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:service',
              onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:contracts', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: ['type:service', 'type:domain', 'type:infra', 'type:contracts', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:util', 'type:testing'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:util', 'type:testing', 'type:tooling'],
            },
            {
              sourceTag: 'type:tooling',
              onlyDependOnLibsWithTags: [
                'type:service',
                'type:domain',
                'type:infra',
                'type:contracts',
                'type:util',
                'type:testing',
                'type:tooling',
              ],
            },
            // Bounded contexts: a context sees itself and the shared kernel, never another context's code;
            // contexts talk through Kafka contracts (libs/contracts, scope:shared).
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared'] },
            { sourceTag: 'scope:cards', onlyDependOnLibsWithTags: ['scope:cards', 'scope:shared'] },
            { sourceTag: 'scope:wallet', onlyDependOnLibsWithTags: ['scope:wallet', 'scope:shared'] },
            { sourceTag: 'scope:payments', onlyDependOnLibsWithTags: ['scope:payments', 'scope:shared'] },
            // The gateway speaks every context's contract, and nothing of their code.
            { sourceTag: 'scope:edge', onlyDependOnLibsWithTags: ['scope:edge', 'scope:shared'] },
            // Analysts' read models follow every context's event store, decoded by its domain types (docs/adr/0011-the-projector-reads-the-stores.md).
            {
              sourceTag: 'scope:analytics',
              onlyDependOnLibsWithTags: [
                'scope:analytics',
                'scope:identity',
                'scope:cards',
                'scope:wallet',
                'scope:payments',
                'scope:shared',
              ],
            },
            // Cross-service tests, benchmarks and the tools (setup, start, demo) run several contexts together.
            {
              sourceTag: 'scope:e2e',
              onlyDependOnLibsWithTags: [
                'scope:identity',
                'scope:cards',
                'scope:wallet',
                'scope:payments',
                'scope:edge',
                'scope:analytics',
                'scope:shared',
              ],
            },
            {
              sourceTag: 'scope:bench',
              onlyDependOnLibsWithTags: [
                'scope:identity',
                'scope:cards',
                'scope:wallet',
                'scope:payments',
                'scope:edge',
                'scope:analytics',
                'scope:shared',
              ],
            },
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: [
                'scope:identity',
                'scope:cards',
                'scope:wallet',
                'scope:payments',
                'scope:edge',
                'scope:analytics',
                'scope:shared',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // Domain code is pure: no `any`, no framework, no I/O.
    files: ['libs/*/domain/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Build and Jest configuration files are plain CommonJS run by Node.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
