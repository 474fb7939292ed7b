// Lint: typescript-eslint's recommended rules plus the house's import boundaries (see ../shared/house-style.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'url', 'stream', 'util', 'events', 'worker_threads', 'zlib'];
const pattern = (names, message) => names.map((group) => ({ group: [group, `${group}/*`], message }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tsbuild/**', '.tmp/**', 'test-artifacts/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...pattern(nodeBuiltins, 'shared/ is pure TypeScript: no node modules.'),
          ...pattern(['electron', 'react', 'react-dom', 'better-sqlite3', 'ssh2', 'node-pty'], 'shared/ imports no electron, React or native modules.'),
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/host/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: pattern(['electron'], 'services and the host are plain Node: only electron/main and electron/preload import electron.') }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...pattern(nodeBuiltins, 'the renderer has no node: talk to main through the typed client.'),
          ...pattern(['electron', 'better-sqlite3', 'ssh2', 'node-pty'], 'the renderer talks only to the typed client.'),
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
);
