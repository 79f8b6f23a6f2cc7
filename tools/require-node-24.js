// The project runs on Node 24 only: the `node` devDependency brings it, and npm puts
// node_modules/.bin first on PATH, so every `npm run …` and `npx …` gets it whatever Node runs npm.
// This file stops anything started on another Node before it gets far enough to fail obscurely:
// the package.json scripts preload it (`node -r ./tools/require-node-24.js -r @swc-node/register …`)
// and jest.config.js requires it first. Plain CommonJS with no dependencies, so any Node can load it.
'use strict';

const REQUIRED_MAJOR = 24;
const REQUIRED_MINOR = 11;

/** What is wrong with running on Node `version` (without the `v`), or undefined when it is a Node 24 from 24.11 on. */
function nodeVersionProblem(version, execPath) {
  const [major, minor] = String(version).split('.').map(Number);
  if (major === REQUIRED_MAJOR && minor >= REQUIRED_MINOR) return undefined;
  return (
    `this project runs on Node ${REQUIRED_MAJOR} (${REQUIRED_MAJOR}.${REQUIRED_MINOR} or later), not Node ${version} (${execPath}): ` +
    'run it through npm (npm test, npm start, npm run <script>), which uses the node@24 devDependency in node_modules/.bin ' +
    '(installed by npm run setup), or switch with `nvm use` (.nvmrc)'
  );
}

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

module.exports = { nodeVersionProblem };
