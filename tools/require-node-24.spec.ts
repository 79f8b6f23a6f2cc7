import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const guard = path.join(__dirname, 'require-node-24.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the guard is plain CommonJS, loaded as node loads it with -r
const { nodeVersionProblem } = require('./require-node-24.js') as {
  nodeVersionProblem: (version: string, execPath: string) => string | undefined;
};

/** Runs the guard as a preload in a Node of this machine that claims to be `version`. */
function preloadAs(version: string) {
  const fake = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });`;
  return spawnSync(process.execPath, ['-e', `${fake} require(${JSON.stringify(guard)}); console.log('ran')`], { encoding: 'utf8' });
}

describe('tools/require-node-24.js', () => {
  it('accepts Node 24 from 24.11 on', () => {
    expect(nodeVersionProblem('24.11.0', '/node')).toBeUndefined();
    expect(nodeVersionProblem('24.21.0', '/node')).toBeUndefined();
  });

  it.each(['20.20.2', '22.22.0', '24.10.0', '25.0.0'])('refuses Node %s, saying how to run on Node 24', (version) => {
    const problem = nodeVersionProblem(version, '/usr/bin/node');
    expect(problem).toContain(`not Node ${version} (/usr/bin/node)`);
    expect(problem).toContain('run it through npm');
    expect(problem).toContain('node@24 devDependency');
    expect(problem).toContain('nvm use');
  });

  it('lets the command run on Node 24 and stops it, with the message and exit code 1, on an older Node', () => {
    const ok = preloadAs('24.11.1');
    expect([ok.status, ok.stdout.trim(), ok.stderr]).toEqual([0, 'ran', '']);

    const old = preloadAs('20.20.2');
    expect(old.status).toBe(1);
    expect(old.stdout).toBe('');
    expect(old.stderr).toMatch(/^this project runs on Node 24 \(24\.11 or later\), not Node 20\.20\.2 \(.+\): run it through npm/);
  });

  const hostNode = '/usr/bin/node';
  const hostVersion = existsSync(hostNode) ? spawnSync(hostNode, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  (/^v(1\d|2[0-3])\./.test(hostVersion) ? it : it.skip)(`stops a script started on the host's ${hostVersion || 'Node'}`, () => {
    const run = spawnSync(hostNode, ['-r', guard, '-e', "console.log('ran')"], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`not Node ${hostVersion.slice(1)} (${hostNode})`);
  });

  it('is preloaded first by every npm script that runs TypeScript, after any install step', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const unguarded = Object.entries(scripts)
      .filter(([, command]) => command.includes('@swc-node/register'))
      .filter(([, command]) => !/\bnode -r \.\/tools\/require-node-24\.js -r @swc-node\/register /.test(command))
      .map(([name]) => name);
    expect(unguarded).toEqual([]);
    // `npm run setup` installs node@24 with the Node that runs npm: the guard comes only after the install.
    expect(scripts.setup).toMatch(/^npm install [^&]*&& node -r \.\/tools\/require-node-24\.js /);
  });

  it('is required first by the root Jest configuration', () => {
    const config = readFileSync(path.join(repoRoot, 'jest.config.js'), 'utf8');
    expect(config.split('\n').find((line) => line.startsWith('require(') || line.startsWith('const '))).toBe(
      "require('./tools/require-node-24.js');",
    );
  });

  it('names Node 24 in .nvmrc and in devEngines', () => {
    expect(readFileSync(path.join(repoRoot, '.nvmrc'), 'utf8').trim()).toBe('24');
    const { devEngines } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      devEngines: { runtime: { name: string; version: string } };
    };
    expect(devEngines.runtime).toMatchObject({ name: 'node', version: '>=24.11 <25' });
  });
});
