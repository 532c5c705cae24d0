// One lint setup for the repo: typescript-eslint's type-aware rules, plus the
// layering rule of docs/architecture.md enforced on imports:
//   api -> core -> kube/config/store -> controller, actions-runtime -> cli
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [group], message })) },
    ],
  },
});

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'crds/**', 'charts/**', '.tmp*/**', 'eslint.config.js'],
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
  layer(
    ['operator/api/**'],
    [
      '**/core/**',
      '**/kube/**',
      '**/store/**',
      '**/controller/**',
      '**/cli/**',
      '**/actions-runtime/**',
    ],
    'api/ holds only schemas: it imports nothing of ours above it',
  ),
  layer(
    ['operator/core/**'],
    [
      '**/kube/**',
      '**/store/**',
      '**/controller/**',
      '**/cli/**',
      '**/actions-runtime/**',
      'node:*',
      '@kubernetes/*',
    ],
    'core/ is pure: no I/O, no clients',
  ),
  layer(
    ['operator/kube/**', 'operator/store/**', 'operator/config/**', 'operator/observability/**'],
    ['**/controller/**', '**/cli/**', '**/actions-runtime/**'],
    'shared shells must not import the operator, the worker or the CLI',
  ),
  layer(
    ['operator/controller/**'],
    ['**/cli/**', '**/actions-runtime/**'],
    'the operator does not import the worker or the CLI',
  ),
  layer(
    ['actions-runtime/**'],
    ['**/controller/**', '**/cli/**'],
    'the SDK does not import the operator or the CLI',
  ),
);
