/**
 * Jest: the unit tests of the models, the API client and the formatting
 * helpers (src/__tests__/*.spec.ts), and the component tests
 * (src/__tests__/components/*.spec.tsx: React Testing Library, driven by
 * models over the fake transport), run in jsdom on a fake clock (the polls
 * run on timers). ts-jest compiles and type-checks them against
 * tsconfig.test.json; the labextension build (tsconfig.json) leaves
 * src/__tests__ out.
 */
module.exports = {
  testEnvironment: 'jsdom',
  fakeTimers: { enableGlobally: true },
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts?(x)'],
  setupFiles: ['<rootDir>/src/__tests__/jsdom.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    '^.+\\.svg$': '<rootDir>/src/__tests__/rawText.js',
    // JupyterLab and Lumino ship ES modules only: compiled to CommonJS for jest.
    '^.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs' }, diagnostics: false }
    ]
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@jupyterlab|@lumino|@codemirror|@lezer|@rjsf|@marijn|lib0|y-protocols|yjs|@jupyter/ydoc|@jupyter/react-components|@jupyter/web-components|@microsoft|exenv-es6|style-mod|w3c-keyname|crelt)/)'
  ]
};
