// `npm test` runs every project's tests in one Jest process (one broker, one PostgreSQL server).
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs'].flatMap((dir) =>
  readdirSync(path.join(__dirname, dir))
    .map((name) => path.join(__dirname, dir, name, 'jest.config.js'))
    .filter((file) => existsSync(file)),
).concat(path.join(__dirname, 'tools', 'jest.config.js'));

module.exports = {
  projects,
  testTimeout: 60_000,
  reporters: ['default', path.join(__dirname, 'tools/jest-summary-reporter.js')],
};
