import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Test files for a Jest of their own: two pass and write to every channel, one fails after doing the same. */
const FIXTURES: Record<string, string> = {
  'quiet-a.check.js': passing('a'),
  'quiet-b.check.js': passing('b'),
  'loud.check.js': `
    it('writes, then fails', () => {
      process.stdout.write('loud: service line on stdout\\n');
      process.stderr.write('loud: [kafkajs WARN] on stderr\\n');
      console.log('loud: a console.log');
      expect(1 + 1).toBe(3);
    });
    it('passes too', () => {});
  `,
};

function passing(name: string): string {
  return `
    it('writes and passes', () => {
      process.stdout.write('quiet-${name}: service line\\n');
      process.stderr.write('quiet-${name}: warning line\\n');
      console.log('quiet-${name}: a console.log');
    });
  `;
}

/** Runs Jest over `files` with npm test's reporters and capture, without the broker and database of the real runs. */
function runJest(files: string[], ...args: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quiet-reporter-'));
  try {
    for (const file of files) writeFileSync(path.join(dir, file), FIXTURES[file]!);
    const config = {
      rootDir: dir,
      testMatch: ['**/*.check.js'],
      testEnvironment: 'node',
      setupFiles: [path.join(__dirname, 'jest-capture-output.js')],
      reporters: [path.join(__dirname, 'jest-quiet-reporter.js'), ['summary', { summaryThreshold: Number.MAX_SAFE_INTEGER }]],
    };
    const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', TEST_VERBOSE: '' },
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("npm test's quiet reporter (tools/jest-quiet-reporter.js)", () => {
  it.each([
    ['in workers', '--maxWorkers=2'],
    ['in band', '--runInBand'],
  ])(
    'prints only a header and the counts when every file passes (%s)',
    (_how, ...args) => {
      const { status, output } = runJest(['quiet-a.check.js', 'quiet-b.check.js'], ...args);
      expect(status).toBe(0);
      expect(output).not.toMatch(/quiet-[ab]:/);
      expect(output).not.toContain('PASS');
      expect(output).toContain('2 test files: a failing one prints its failures and its output');
      expect(output).toMatch(/Tests: +2 passed, 2 total/);
      expect(output.trim().split('\n').length).toBeLessThanOrEqual(10);
    },
    60_000,
  );

  it.each([
    ['in workers', '--maxWorkers=2'],
    ['in band', '--runInBand'],
  ])(
    "prints a failing file's failure and everything it wrote, and nothing of the passing files (%s)",
    (_how, ...args) => {
      const { status, output } = runJest(['quiet-a.check.js', 'loud.check.js', 'quiet-b.check.js'], ...args);
      expect(status).toBe(1);
      expect(output).not.toMatch(/quiet-[ab]:/);
      expect(output).toMatch(/FAIL .*loud\.check\.js/);
      expect(output).toContain('stdout | loud: service line on stdout');
      expect(output).toContain('stderr | loud: [kafkajs WARN] on stderr');
      expect(output).toMatch(/console\.log \(.*loud\.check\.js:\d+\) \| loud: a console\.log/);
      expect(output).toContain('writes, then fails');
      expect(output).toContain('expect(received).toBe(expected)');
      expect(output).toContain('1 failing test file:');
      expect(output).toMatch(/Tests: +1 failed, 3 passed, 4 total/);
    },
    60_000,
  );
});
