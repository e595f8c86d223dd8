import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    '**/lib/',
    'labextension/',
    '.venv/',
    '.yarn/',
    'python/',
    'ui-tests/test-results/',
    'ui-tests/playwright-report/',
    'docs/site/_build/'
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ]
    }
  },
  {
    // Generated from the Python models (jlpm build:types): its names follow the models.
    files: ['src/api/types.ts'],
    rules: { '@typescript-eslint/naming-convention': 'off' }
  },
  {
    // The panel's layering (docs/architecture.md): components render models,
    // and only models talk to the server. Components take the REST types
    // from models/types, which re-exports them.
    files: ['src/components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@jupyterlab/services',
              message: 'Components render models; models talk to the server.'
            }
          ],
          patterns: [
            {
              group: ['**/api', '**/api/*'],
              message:
                'Components render models: import from models/ (the REST types from models/types), never from api/.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node }
  },
  {
    files: ['**/*.js'],
    ignores: ['style/**'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    rules: {
      curly: 'error',
      eqeqeq: 'error',
      'no-console': 'error',
      'prefer-arrow-callback': 'error'
    }
  }
);
