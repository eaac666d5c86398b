// Size limits for shipped source: one concern per file, functions a reader
// can hold in view. Tests, test utilities and examples are exempt (a suite
// reads best as one file). Used by each package's .eslintrc.js.
const notTests = [
  '**/*.test.*',
  '**/__testUtils__/**',
  '**/*.examples.ts',
  'src/setupTests.*',
];

/** Overrides for a shipped plugin package: files ≤ 400 lines, functions ≤ 80. */
exports.shippedSizeLimits = [
  {
    files: ['src/**/*.ts?(x)'],
    excludedFiles: notTests,
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: true, skipComments: true },
      ],
    },
  },
];

/** Overrides for the emulator (not shipped): files ≤ 500 lines. */
exports.emulatorSizeLimits = [
  {
    files: ['src/**/*.ts'],
    excludedFiles: notTests,
    rules: { 'max-lines': ['error', { max: 500 }] },
  },
];
