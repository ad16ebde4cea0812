// Lint rules: the recommended sets plus a few that catch real bugs in async, process-heavy code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-typecheck/', 'node_modules/', '.cache/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setImmediate: 'readonly', performance: 'readonly',
      },
    },
  },
  {
    // The dashboard's page runs in the browser.
    files: ['src/dashboard/page/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        document: 'readonly', location: 'readonly', EventSource: 'readonly', fetch: 'readonly', confirm: 'readonly',
        URLSearchParams: 'readonly', Node: 'readonly', globalThis: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
      },
    },
  },
);
