// `npm test` runs every project's tests in one Jest process (one broker, one PostgreSQL server).
// Projects are the folders under apps/, libs/, tools/ and bench/ that hold a jest.config.js.
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

function findProjects(dir, depth) {
  if (existsSync(path.join(dir, 'jest.config.js'))) return [path.join(dir, 'jest.config.js')];
  if (depth === 0) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'src')
    .flatMap((entry) => findProjects(path.join(dir, entry.name), depth - 1));
}

const projects = ['apps', 'libs', 'tools', 'bench'].flatMap((dir) => findProjects(path.join(__dirname, dir), 2));

module.exports = {
  projects,
  testTimeout: 60_000,
  reporters: ['default', path.join(__dirname, 'tools/jest-summary-reporter.js')],
};
