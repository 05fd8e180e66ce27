// Second step of `npm run build`: turns tsc's dist/main.js and everything it imports (our modules and the runtime
// packages) into one ES module, written over dist/main.js, with the lazily loaded parts (the app, Redis, prom-client,
// OpenTelemetry tracing, --workers) as chunks next to it. Node 20 then loads a handful of files instead of several hundred, which measured
// about half the start-up time and 8 MiB less resident memory (docs/performance.md). The rest of dist/ stays as tsc
// wrote it: the demo and the development IdP run from there and are never part of the bundle. tsc's own entry is kept
// as dist/main.modules.js (the same program, module by module), so a CPU profile can name the source file of a function.
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DIST = join(ROOT, 'dist')
/** Chunk files carry this prefix, so a rebuild can remove the previous build's chunks. */
const CHUNK_PREFIX = 'main-'

for (const name of readdirSync(DIST)) if (name.startsWith(CHUNK_PREFIX)) rmSync(join(DIST, name))
const MODULES_ENTRY = join(DIST, 'main.modules.js')
const tscEntry = readFileSync(join(DIST, 'main.js'), 'utf8')
writeFileSync(MODULES_ENTRY, tscEntry.replace(/^\/\/# sourceMappingURL=main\.js\.map$/m, '//# sourceMappingURL=main.modules.js.map'))
renameSync(join(DIST, 'main.js.map'), `${MODULES_ENTRY}.map`)
rmSync(join(DIST, 'main.js'))

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: MODULES_ENTRY },
  outdir: DIST,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // Chunks sit in dist/ itself, at the depth of the modules they came from (version.ts reads ../package.json).
  chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
  sourcemap: 'linked',
  // No comments or indentation: V8 keeps every loaded module's source in memory for as long as the process runs, and a
  // single character outside Latin-1 in a comment (undici has some) makes it store the whole chunk as two bytes a
  // character. Names are kept, so stack traces and profiles still read; the source map gives the lines.
  minifyWhitespace: true,
  metafile: true,
  logLevel: 'warning',
  // The CommonJS packages inside (undici, pino, bcryptjs) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __gatehouseRequire } from 'node:module'; const require = __gatehouseRequire(import.meta.url);" },
})
// What went in (paths relative to the repository), for the test that keeps development code out of the production entry.
writeFileSync(join(DIST, 'main.meta.json'), `${JSON.stringify({ inputs: Object.keys(result.metafile.inputs).sort() }, null, 1)}\n`)
