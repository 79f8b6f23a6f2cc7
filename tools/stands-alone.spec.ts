import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const TEXT_FILE = /\.(md|ts|js|mjs|cjs|json|ya?ml)$/;
/** What .gitignore leaves out (its directory entries), and git's own folder. */
const IGNORED_DIRECTORIES = new Set([
  '.git',
  ...readFileSync(path.join(repoRoot, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('/') && !line.startsWith('#'))
    .map((line) => line.slice(0, -1)),
]);
/** The material kept beside a checkout, by its absolute path (spelt in parts so this file does not name it). */
const OUTSIDE_ABSOLUTE = ['', 'work', 'shared'].join('/');
/** A relative path up to a `shared` folder, with what follows it. */
const RELATIVE_SHARED = /(?:\.\.\/)+shared(?:\/[\w.-]+)*/g;

function textFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return IGNORED_DIRECTORIES.has(entry.name) ? [] : textFiles(full);
    return entry.isFile() && TEXT_FILE.test(entry.name) ? [full] : [];
  });
}

/** A relative `shared` path that names something in the repository (a module or folder beside the file) is fine. */
function namesSomethingInTheRepository(file: string, reference: string): boolean {
  const target = path.resolve(path.dirname(file), reference);
  if (path.relative(repoRoot, target).startsWith('..')) return false;
  return ['', '.ts', '.js', '.json', '/index.ts', '/index.js'].some((suffix) => existsSync(target + suffix));
}

/**
 * The repository stands alone: what it builds and why is in docs/ (spec.md, design.md, adr/), and
 * nothing in it points at material outside the checkout, which a clone does not have.
 */
describe('the repository stands alone', () => {
  it('no text file refers to material outside the checkout', () => {
    const offending = textFiles(repoRoot).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const relative = path.relative(repoRoot, file);
      const absolute = text.includes(OUTSIDE_ABSOLUTE) ? [`${relative}: ${OUTSIDE_ABSOLUTE}`] : [];
      const up = [...text.matchAll(RELATIVE_SHARED)]
        .map((match) => match[0])
        .filter((reference) => !namesSomethingInTheRepository(file, reference))
        .map((reference) => `${relative}: ${reference}`);
      return [...absolute, ...up];
    });
    expect(offending).toEqual([]);
  });

  it('has its specification and design in docs/', () => {
    for (const doc of ['docs/spec.md', 'docs/design.md']) expect(existsSync(path.join(repoRoot, doc))).toBe(true);
  });
});
