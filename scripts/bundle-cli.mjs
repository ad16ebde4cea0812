#!/usr/bin/env node
// Bundles the CLI in place after tsc, so that a command starts by loading a handful of files: Node
// 20 spends ~0.5 ms on each ES module, and `run` loaded ~200 (95 of them zod's) before this.
//   node scripts/bundle-cli.mjs [DIST]        (`npm run build` runs it after `tsc -p tsconfig.build.json`)
//
// What it writes over tsc's output (everything else in DIST stays as tsc emitted it: the library,
// dist/index.js, is imported by users and fixtures; dist/supervisor/watchdog.js is spawned by path):
// - dist/cli/bin.js, with what every command needs (argument parsing, errors, exit codes): the other
//   files import it, so importing one of them on its own runs the CLI;
// - dist/cli/commands/<name>.js, one per command, still imported on demand, so `guard` and `lock`
//   load nothing of `run` (test/cli/hot-path.test.ts, test/guard/hot-path.test.ts);
// - dist/cli/chunks/*.js, the code several commands share, and what commands load lazily.
// zod, pino, chokidar and the MCP SDK (with its zod and ajv; `mcp` only) are inlined (pure
// JavaScript; pino's worker-thread transports, the one part that needs its own files, are never
// used: src/log.ts hands pino a stream; one would fail loudly, on `__dirname`, which an ES module
// lacks). Any other package stays an import. Source maps lead to
// src/*.ts through tsc's own maps.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Packages checked to be safe to inline: no native code, no files read next to themselves at run time. */
const INLINE = new Set(['zod', 'pino', 'chokidar', '@modelcontextprotocol/sdk']);
/** In the first lines of every file written: a second run would otherwise bundle a bundle. */
const MARK = 'bundled by scripts/bundle-cli.mjs';

const dist = resolve(process.argv[2] ?? join(fileURLToPath(new URL('..', import.meta.url)), 'dist'));
const cli = join(dist, 'cli');
const bin = join(cli, 'bin.js');
// On the same file system as dist/cli (the files are renamed into place); one per process, as test
// set-ups of several engineers may bundle at once.
const staging = join(dist, `.cli-bundle-${process.pid}`);

const inNodeModules = (file) => file.split(sep).includes('node_modules');
const packageName = (id) => id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/');
const toPosix = (path) => path.split(sep).join('/');

/** Whether `file` was written by this script (and not by tsc since). */
function isBundled(file) {
  return existsSync(file) && readFileSync(file, 'utf8').slice(0, 300).includes(MARK);
}

const leftAsImports = new Set();

function external(id, importer) {
  if (isBuiltin(id)) return true;
  if (id.startsWith('.') || id.startsWith('/') || id.startsWith('\0')) return false;
  // An inlined package's own dependencies come with it.
  if (importer !== undefined && inNodeModules(importer)) return false;
  if (INLINE.has(packageName(id))) return false;
  leftAsImports.add(packageName(id));
  return true;
}

/** Our modules come with tsc's source maps, so that the bundle's maps point at src/*.ts. */
const tscSourceMaps = {
  name: 'tsc-source-maps',
  load(id) {
    if (inNodeModules(id) || !id.endsWith('.js') || !existsSync(`${id}.map`)) return null;
    return { code: readFileSync(id, 'utf8'), map: readFileSync(`${id}.map`, 'utf8') };
  },
};

/**
 * `new URL('<relative>', import.meta.url)` names a file beside the module tsc emitted (the
 * watchdog, package.json, bin.js); moved into a chunk it must still name that file. Any other use of
 * import.meta stops the build rather than ship a path that points nowhere.
 */
const TOKEN = '__agentvisor_bundled_path__';
function relativeUrls(MagicString) {
  return {
    name: 'relative-urls',
    transform(code, id) {
      if (inNodeModules(id) || !code.includes('import.meta')) return null;
      const s = new MagicString(code);
      for (const m of code.matchAll(/new URL\((['"])([^'"]+)\1, import\.meta\.url\)/g)) {
        const target = resolve(dirname(id), m[2]);
        s.overwrite(m.index, m.index + m[0].length, `new URL(${m[1]}${TOKEN}${target}${TOKEN}${m[1]}, import.meta.url)`);
      }
      if (/import\.meta(?!\.url\))/.test(s.toString())) {
        this.error(`${id}: import.meta is used other than as new URL('<literal path>', import.meta.url); teach scripts/bundle-cli.mjs where that path goes`);
      }
      return { code: s };
    },
    renderChunk(code, chunk) {
      if (!code.includes(TOKEN)) return null;
      const from = dirname(join(cli, chunk.fileName));
      const s = new MagicString(code);
      for (const m of code.matchAll(new RegExp(`${TOKEN}(.*?)${TOKEN}`, 'g'))) {
        const path = toPosix(relative(from, m[1]));
        s.overwrite(m.index, m.index + m[0].length, path.startsWith('.') ? path : `./${path}`);
      }
      return { code: s };
    },
  };
}

/** A command keeps its module's name and place (dist/cli/commands/guard.js); the rest go to chunks/. */
function chunkFileName(chunk) {
  const command = chunk.facadeModuleId && dirname(chunk.facadeModuleId) === join(cli, 'commands');
  return command ? 'commands/[name].js' : 'chunks/[name].js';
}

/** Source paths in a map written to staging, made relative to where the map will finally be. */
function sourcePath(source, mapPath) {
  const absolute = resolve(dirname(mapPath), source);
  const finalMap = join(cli, relative(staging, mapPath));
  return toPosix(relative(dirname(finalMap), absolute));
}

async function bundle() {
  // Imported only when there is work: test/global-setup.ts runs this script before every test run.
  const { rolldown, RolldownMagicString } = await import('rolldown');
  rmSync(staging, { recursive: true, force: true });
  const build = await rolldown({ input: { bin }, platform: 'node', external, plugins: [tscSourceMaps, relativeUrls(RolldownMagicString)] });
  try {
    const { output } = await build.write({
      dir: staging,
      format: 'esm',
      sourcemap: true,
      sourcemapPathTransform: sourcePath,
      postBanner: `// ${MARK}`,
      entryFileNames: '[name].js',
      chunkFileNames: chunkFileName,
    });
    return output.filter((file) => file.type === 'chunk');
  } finally {
    await build.close();
  }
}

/**
 * Renames each staged file over tsc's (atomic per file, so two builds at once both end whole):
 * chunks first, bin.js last, so that a CLI started meanwhile mostly finds a whole set; then removes
 * chunks no longer written.
 */
function install() {
  const written = [];
  for (const dir of ['chunks', 'commands']) {
    mkdirSync(join(cli, dir), { recursive: true });
    for (const name of readdirSync(join(staging, dir))) {
      renameSync(join(staging, dir, name), join(cli, dir, name));
      written.push(join(dir, name));
    }
  }
  for (const name of ['bin.js.map', 'bin.js']) renameSync(join(staging, name), join(cli, name));
  for (const name of readdirSync(join(cli, 'chunks'))) {
    if (!written.includes(join('chunks', name))) rmSync(join(cli, 'chunks', name), { force: true });
  }
  rmSync(join(cli, 'commands', 'guard-chunks'), { recursive: true, force: true }); // scripts/bundle-guard.mjs's
  rmSync(staging, { recursive: true, force: true });
}

if (isBundled(bin)) {
  console.log(`${bin} is already a bundle: run \`tsc -p tsconfig.build.json\` first to bundle again`);
} else {
  const chunks = await bundle();
  install();
  const modules = chunks.reduce((sum, chunk) => sum + Object.keys(chunk.modules).length, 0);
  const kept = leftAsImports.size ? `; left as imports: ${[...leftAsImports].join(', ')}` : '';
  console.log(`bundled the CLI: ${modules} modules into ${chunks.length} files under ${cli}${kept}`);
}
