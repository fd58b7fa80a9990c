import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaries, ignores } from './eslint.architecture.mjs';

export default tseslint.config(
  ignores,
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node scripts (CommonJS JavaScript, run directly with node).
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Which folder may import what (README "Architecture").
  ...boundaries,
);
