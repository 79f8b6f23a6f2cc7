// Shared Jest settings for every project. Tests are compiled by SWC (with decorator metadata, which
// NestJS needs). SWC rewrites the `@ledger/*` aliases of tsconfig.base.json into relative paths,
// exactly as tools/build.js does, so the global setup (which Jest loads without its module mapper)
// and the tests resolve libraries the same way as the built services.
const path = require('node:path');
const fs = require('node:fs');

const root = __dirname;
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

const swcOptions = { ...swcrc, swcrc: false, jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths } };

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.int-spec.ts', '<rootDir>/**/*.e2e-spec.ts'],
  globalSetup: path.join(root, 'libs/testing/src/global-setup.ts'),
  globalTeardown: path.join(root, 'libs/testing/src/global-teardown.ts'),
  testTimeout: 60_000,
};
