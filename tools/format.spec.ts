import { spawnSync } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');

/**
 * One formatter for the tree (`.prettierrc.json`, width 140; `.prettierignore` names what it leaves
 * alone): a change that is not formatted fails here, so no reviewer reads layout diffs. `npm run
 * format` fixes it. Run as the CLI in a process of its own (Prettier loads its plugins with dynamic
 * imports, which Jest's module sandbox refuses).
 */
describe('formatting', () => {
  it('every source file is formatted as .prettierrc.json says (npm run format)', () => {
    const run = spawnSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--list-different', '.'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([]);
    expect(run.status).toBe(0);
  }, 180_000);
});
