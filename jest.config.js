// `npm test` runs every project's tests in one Jest process (one broker, one PostgreSQL server).
// Projects are the folders under apps/, libs/, tools/ and bench/ that hold a jest.config.js.
// The output is quiet: a passing file prints nothing, a failing one its failures and its output
// (tools/jest-quiet-reporter.js, fed by tools/jest-capture-output.js in every project).
// TEST_VERBOSE=1 runs the same tests with Jest's default reporter and output instead.
require('./tools/require-node-24.js');
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
const verbose = /^(1|true|yes)$/i.test(process.env.TEST_VERBOSE ?? '');
const summaryReporter = path.join(__dirname, 'tools/jest-summary-reporter.js');

/** A project's own configuration, with the capture of its services' output as its last setup file. */
function quietProject(configFile) {
  const config = require(configFile);
  return { ...config, setupFiles: [...(config.setupFiles ?? []), path.join(__dirname, 'tools/jest-capture-output.js')] };
}

module.exports = verbose
  ? { projects, testTimeout: 60_000, reporters: ['default', summaryReporter] }
  : {
      projects: projects.map(quietProject),
      testTimeout: 60_000,
      // The failures print once, as their files finish, so the summary reporter only counts.
      reporters: [
        path.join(__dirname, 'tools/jest-quiet-reporter.js'),
        ['summary', { summaryThreshold: Number.MAX_SAFE_INTEGER }],
        summaryReporter,
      ],
    };
