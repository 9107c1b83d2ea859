// Lint: typescript-eslint's recommended rules over the sources and tests (CI runs it: `npm run lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.counterexamples/', 'coverage/', '.scratch/', '.api-docs/', '.test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Unused names are a type-check error already (noUnusedLocals/Parameters), with `_` for the deliberate ones.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
