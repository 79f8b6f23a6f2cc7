/**
 * Builds `@ledger/client` as a package that a program outside this monorepo installs and imports by
 * name: `node -r @swc-node/register tools/build-client-package.ts [--out <dir>]` (`npx nx build client`),
 * by default into `dist/libs/client`.
 *
 * The workspace libraries the client imports (`@ledger/contracts`, `@ledger/messaging/client`,
 * `@ledger/util`) are no packages of their own, so they are built alongside it: tsc compiles the
 * client's entry and every workspace file it reaches, type-checked, into `lib/<library>/src/…` with
 * `.d.ts` files, and each `@ledger/*` alias of tsconfig.base.json is rewritten into a relative path
 * (in the JavaScript and in the declarations), as tools/build.js does for the services. The
 * package's `package.json` is `libs/client/package.json`; the build refuses a bare import that the
 * package does not declare as a dependency, so the package cannot need what its install lacks.
 */
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..');
const ENTRY = path.join(root, 'libs/client/src/index.ts');
const MANIFEST = path.join(root, 'libs/client/package.json');
const README = path.join(root, 'libs/client/README.md');
/** Every workspace library lives under libs/, so their layout there is the layout under the package's lib/. */
const SOURCE_ROOT = path.join(root, 'libs');
export const DEFAULT_OUT = path.join(root, 'dist/libs/client');

interface Manifest {
  name: string;
  main: string;
  types: string;
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/** Module specifiers as tsc writes them: `require("x")`, `from "x"`, `import("x")`. */
const SPECIFIER = /(\brequire\(|\bfrom\s+|\bimport\()(["'])([^"']+)\2/g;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

function baseCompilerOptions(): ts.CompilerOptions {
  const read = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const { options, errors } = ts.convertCompilerOptionsFromJson((read.config as { compilerOptions: unknown }).compilerOptions, root);
  if (errors.length > 0) throw new Error(errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n')).join('\n'));
  return options;
}

/** Rewrites the `@ledger/*` specifiers of one emitted file into paths relative to it, in the package's layout. */
function rewriteAliases(file: string, text: string, paths: ts.MapLike<string[]>, libDir: string): string {
  return text.replace(SPECIFIER, (whole, lead: string, quote: string, specifier: string) => {
    if (!specifier.startsWith('@ledger/')) return whole;
    const target = paths[specifier]?.[0];
    if (target === undefined) throw new Error(`${file}: ${specifier} is not a path of tsconfig.base.json`);
    const emitted = path.join(libDir, path.relative(SOURCE_ROOT, path.join(root, target))).replace(/\.ts$/, '');
    const relative = path.relative(path.dirname(file), emitted).split(path.sep).join('/');
    return `${lead}${quote}${relative.startsWith('.') ? relative : `./${relative}`}${quote}`;
  });
}

/** The package a bare specifier names (`kafkajs/src/x` → `kafkajs`, `@scope/name/y` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const BUILTINS = new Set(builtinModules);

/** Bare imports of the emitted files that are neither Node's own modules nor dependencies of the package. */
function undeclaredImports(files: readonly string[], dependencies: Record<string, string>): string[] {
  const undeclared = new Set<string>();
  for (const file of files) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const specifier = match[3]!;
      if (specifier.startsWith('.') || specifier.startsWith('node:') || BUILTINS.has(specifier)) continue;
      if (!(packageOf(specifier) in dependencies)) undeclared.add(`${specifier} (${path.relative(root, file)})`);
    }
  }
  return [...undeclared];
}

function readManifest(): Manifest {
  const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Manifest;
  const hooks = INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name] !== undefined);
  if (hooks.length > 0)
    throw new Error(`${path.relative(root, MANIFEST)} has install scripts (${hooks.join(', ')}): a client package runs nothing on install`);
  return manifest;
}

/** Builds the package into `outDir` (emptied first) and returns the files it wrote. */
export function buildClientPackage(outDir: string = DEFAULT_OUT): string[] {
  const manifest = readManifest();
  const base = baseCompilerOptions();
  const libDir = path.join(outDir, 'lib');
  const options: ts.CompilerOptions = {
    ...base,
    noEmit: false,
    declaration: true,
    declarationMap: false,
    // Source maps would point into this repository, which the package's users do not have.
    sourceMap: false,
    rootDir: SOURCE_ROOT,
    outDir: libDir,
    // The package's code runs in Node and is tested by the specs beside it; Jest's globals are not its types.
    types: ['node'],
    noEmitOnError: true,
  };
  const program = ts.createProgram({ rootNames: [ENTRY], options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    const host: ts.FormatDiagnosticsHost = {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    };
    throw new Error(`the client does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }

  fs.rmSync(outDir, { recursive: true, force: true });
  const written: string[] = [];
  const paths = base.paths ?? {};
  const emitted = program.emit(undefined, (file, text) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, rewriteAliases(file, text, paths, libDir));
    written.push(file);
  });
  if (emitted.emitSkipped) throw new Error('tsc emitted nothing');

  const undeclared = undeclaredImports(written, manifest.dependencies ?? {});
  if (undeclared.length > 0)
    throw new Error(`the package imports what ${path.relative(root, MANIFEST)} does not declare: ${undeclared.join(', ')}`);
  fs.copyFileSync(MANIFEST, path.join(outDir, 'package.json'));
  fs.copyFileSync(README, path.join(outDir, 'README.md'));
  for (const entry of [manifest.main, manifest.types]) {
    if (!fs.existsSync(path.join(outDir, entry))) throw new Error(`package.json names ${entry}, which the build did not write`);
  }
  return written;
}

if (require.main === module) {
  const flag = process.argv.indexOf('--out');
  const outDir = flag >= 0 && process.argv[flag + 1] ? path.resolve(process.argv[flag + 1]!) : DEFAULT_OUT;
  const started = Date.now();
  const written = buildClientPackage(outDir);
  const libraries = [...new Set(written.map((file) => path.relative(path.join(outDir, 'lib'), file).split(path.sep)[0]))].sort();
  console.log(
    `built @ledger/client into ${path.relative(process.cwd(), outDir) || '.'}: ${written.length} files ` +
      `(${libraries.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
