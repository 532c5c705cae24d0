// One lint setup for the repo: typescript-eslint's type-aware rules, plus the
// layering rule of docs/architecture.md ("Layers") enforced on every import of
// every folder by hack/lint/layers.ts.
import tseslint from 'typescript-eslint';
import { layersRule } from './hack/lint/layers.ts';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'crds/**',
      'charts/**',
      '.tmp*/**',
      'eslint.config.js',
      // The browser's code: plain modules sent as they are (operator/web/README.md).
      'operator/web/static/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      complexity: ['error', 15],
      'max-depth': ['error', 4],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'hack/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      complexity: 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { fastflow: { rules: { layers: layersRule } } },
    rules: { 'fastflow/layers': 'error' },
  },
);
