/**
 * Jest: the unit tests of the models, the API client and the formatting
 * helpers (src/__tests__/*.spec.ts), run in jsdom on a fake clock (the polls
 * run on timers). ts-jest compiles and type-checks them against
 * tsconfig.test.json; the labextension build (tsconfig.json) leaves
 * src/__tests__ out.
 */
module.exports = {
  testEnvironment: 'jsdom',
  fakeTimers: { enableGlobally: true },
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }]
  }
};
