import { existsSync } from 'node:fs';
import path from 'node:path';

/** The workspace root: the nearest folder above this file that holds `nx.json`. */
function findRepoRoot(from: string): string {
  let dir = from;
  for (let depth = 0; depth < 20; depth++) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`nx.json not found above ${from}`);
}

export const repoRoot = findRepoRoot(__dirname);

/** Everything the local stack writes (binaries, data, logs) lives here and is ignored by git. */
export const localDir = path.join(repoRoot, '.local');
