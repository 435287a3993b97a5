/** @type {import('jest').Config} */
module.exports = {
	// Console output is printed only for failing tests (test/harness/quiet-environment.js).
	testEnvironment: '<rootDir>/test/harness/quiet-environment.js',
	setupFilesAfterEnv: ['<rootDir>/test/harness/quiet-console.ts'],
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	testTimeout: 30000,
};
