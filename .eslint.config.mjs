// ESLint flat config: typescript-eslint's recommended rules without type information (fast enough to
// run on every test run). Formatting is Prettier's business (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  ['console', 'process', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'structuredClone'].map((name) => [name, 'readonly']),
);
// The tree-sitter grammar DSL, provided by the CLI that evaluates grammar.js.
const grammarGlobals = Object.fromEntries(
  ['grammar', 'seq', 'choice', 'repeat', 'repeat1', 'optional', 'token', 'prec', 'field', 'alias', 'blank', 'module'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.cache/**', 'server/grammar/src/**', 'node_modules/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Names starting with `_` are deliberately unused (a field destructured away, a required parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  // TypeScript itself reports undefined names in .ts files (typescript-eslint's advice).
  { files: ['**/*.ts'], rules: { 'no-undef': 'off' } },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: nodeGlobals } },
  {
    files: ['server/grammar/grammar.js'],
    languageOptions: { sourceType: 'commonjs', globals: grammarGlobals },
    // Its regexes are copied into the committed parser (src/grammar.json): editing them means regenerating it.
    rules: { 'no-useless-escape': 'off' },
  },
);
