#!/usr/bin/env node
// Compiles one project (apps/x or libs/x) with SWC into dist/<project>, rewriting the `@ledger/*`
// aliases of tsconfig.base.json into relative requires, so `node dist/apps/x/src/main.js` runs with
// no loader. Type checking is the separate `typecheck` target (tsc), which SWC does not do.
const path = require('node:path');
const fs = require('node:fs');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const project = process.argv[2];
if (!project) {
  console.error('usage: node tools/build.js <projectRoot>');
  process.exit(2);
}
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const options = { ...swcrc, swcrc: false, jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths } };

const isSource = (file) => file.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec|d)\.ts$/.test(file);
function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (isSource(full)) yield full;
  }
}

const srcDir = path.join(root, project, 'src');
let count = 0;
for (const file of walk(srcDir)) {
  const out = path.join(root, 'dist', path.relative(root, file)).replace(/\.ts$/, '.js');
  const { code, map } = swc.transformFileSync(file, { ...options, filename: file, sourceFileName: path.relative(path.dirname(out), file) });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, map ? `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n` : code);
  if (map) fs.writeFileSync(`${out}.map`, map);
  count++;
}
console.log(`built ${project}: ${count} files → dist/${project}`);
