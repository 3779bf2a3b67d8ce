// Cold start: time from process start to `await import(X)` done, minus a bare node start run beside it;
// and to the first identify done (imported, a client created, one identify sent to a local sink and
// acknowledged), for idstitch and the peers, in the same interleaved rounds.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { RUNTIMES, installNodeRuntime } from '../../scripts/node-runtimes.mjs'
import { median } from '../lib/measure.mjs'
import { startSink } from '../throughput/run.mjs'

const cwd = fileURLToPath(new URL('..', import.meta.url))
/** zod alone, as @idstitch/node bundles it (built by {@link buildZodAsBundled} before the runs). */
const zodAsBundled = new URL('../../.cache/bench/zod-as-bundled.mjs', import.meta.url)
/** A module that exports nothing: what Node's loader costs any first import of a file, whatever it holds. */
const emptyModule = new URL('../../.cache/bench/empty.mjs', import.meta.url)
const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

/** Each case: what its process runs (SINK is the sink's URL); `ours` marks idstitch's; `kind` import or first identify. */
export const cases = [
  { name: '@idstitch/node', kind: 'import', ours: true, code: "await import('@idstitch/node')" },
  { name: '@idstitch/node + /providers (pathbound)', kind: 'import', ours: true, code: "await import('@idstitch/node'); await import('@idstitch/node/providers')" },
  { name: '@idstitch/node/undici', kind: 'import', ours: true, code: "await import('@idstitch/node/undici')" },
  { name: '@segment/analytics-node', kind: 'import', code: "await import('@segment/analytics-node')" },
  { name: 'posthog-node', kind: 'import', code: "await import('posthog-node')" },
  { name: '@rudderstack/rudder-sdk-node', kind: 'import', code: "await import('@rudderstack/rudder-sdk-node')" },
  { name: 'ky', kind: 'import', code: "await import('ky')" },
  { name: 'zod', kind: 'import', code: "await import('zod')" },
  // What zod, the fixed validator, costs a cold start of @idstitch/node: the zod/mini functions its sources use,
  // bundled into one ASCII ES module as its build bundles them (not zod's whole package, loaded file by file).
  { name: 'zod/mini, as @idstitch/node bundles it', kind: 'import', code: `await import(${JSON.stringify(zodAsBundled.href)})` },
  { name: 'undici', kind: 'import', code: "await import('undici')" },
  // The floor under every row above: Node's loader resolving, reading and linking a first ES module file.
  { name: 'an empty ES module', kind: 'import', code: `await import(${JSON.stringify(emptyModule.href)})` },
  {
    name: 'idstitch (pathbound)',
    kind: 'first identify',
    ours: true,
    code: `const { createClient } = await import('@idstitch/node'); const { pathbound } = await import('@idstitch/node/providers')
      const client = createClient({ logger: false, providers: [pathbound({ apiKey: 'pb_bench_key', baseUrl: SINK })] })
      const result = await client.identify({ userId: 'usr_1', anonymousId: '${VISITOR}', traits: { plan: 'pro' } })
      if (!result.ok) throw new Error('not delivered')`,
  },
  {
    name: '@segment/analytics-node',
    kind: 'first identify',
    code: `const { Analytics } = await import('@segment/analytics-node'); const analytics = new Analytics({ writeKey: 'wk_bench', host: SINK })
      analytics.identify({ userId: 'usr_1', anonymousId: '${VISITOR}', traits: { plan: 'pro' } }); await analytics.closeAndFlush()`,
  },
  {
    name: 'posthog-node',
    kind: 'first identify',
    code: `const { PostHog } = await import('posthog-node'); const posthog = new PostHog('phc_bench', { host: SINK })
      posthog.identify({ distinctId: 'usr_1', properties: { plan: 'pro', $anon_distinct_id: '${VISITOR}' } }); await posthog.shutdown()`,
  },
  {
    name: '@rudderstack/rudder-sdk-node',
    kind: 'first identify',
    code: `const { default: Analytics } = await import('@rudderstack/rudder-sdk-node'); const client = new Analytics('wk_bench', { dataPlaneUrl: SINK, logLevel: 'error' })
      client.identify({ userId: 'usr_1', anonymousId: '${VISITOR}', traits: { plan: 'pro' } }); await client.flush()`,
  },
]
/** The import-only specifiers, as earlier reports named them. */
export const modules = cases.filter((entry) => entry.kind === 'import').map((entry) => entry.name)

/**
 * One `node` process (this one's binary, or `node`) that runs `code` (or nothing): its wall time, and the
 * time the code itself took inside it (a steadier figure on a noisy machine, since a bare start's own variance
 * does not enter it), in ms. Node's compile cache is on only with `compileCache`, its directory: one the
 * developer's own environment turns on would make every cold start warm.
 */
const once = (code, sink, { node = process.execPath, compileCache } = {}) => {
  const script = code ? `const SINK = ${JSON.stringify(sink)}; const t = performance.now(); ${code}; process.stdout.write(String(performance.now() - t)); process.exit(0)` : ''
  const { NODE_COMPILE_CACHE: _, ...env } = process.env
  if (compileCache) env.NODE_COMPILE_CACHE = compileCache
  const started = process.hrtime.bigint()
  const result = spawnSync(node, ['--input-type=module', '-e', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0) throw new Error(`cold start of ${code.slice(0, 60)}… on ${node} failed: ${result.stderr.split('\n').slice(0, 3).join(' ')}`)
  return { wall: Number(process.hrtime.bigint() - started) / 1e6, inside: Number(result.stdout) || 0 }
}

/**
 * The zod/mini functions @idstitch/node and the core call, read from their sources: `z.name(` or `z.name<T>(`,
 * a member of a namespace (`z.iso.datetime(`), or a named import. Types (`z.output<T>`) are not functions.
 */
const zodNamesUsed = () => {
  const names = new Set()
  for (const pkg of ['core', 'node']) {
    const dir = new URL(`../../packages/${pkg}/src/`, import.meta.url)
    for (const file of readdirSync(dir, { recursive: true }).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8')
      for (const [, name] of text.matchAll(/\bz\.([a-z]\w*(?:\.[a-z]\w*)?)[(<]/g)) if (!['output', 'input', 'infer'].includes(name)) names.add(name)
      for (const [, list] of text.matchAll(/import \{([^}]+)\} from 'zod\/mini'/g)) for (const name of list.split(',')) names.add(name.trim())
    }
  }
  return [...names].sort()
}

/** Bundles those functions as @idstitch/node's build does: one ES module, ASCII, not minified. */
const buildZodAsBundled = async () => {
  mkdirSync(new URL('.', zodAsBundled), { recursive: true })
  const names = zodNamesUsed()
  const contents = `import * as z from 'zod/mini'\nexport const used = [${names.map((name) => `z.${name}`).join(', ')}]`
  await build({ stdin: { contents, resolveDir: cwd }, bundle: true, format: 'esm', platform: 'node', charset: 'ascii', outfile: fileURLToPath(zodAsBundled), logLevel: 'error' })
  writeFileSync(emptyModule, 'export {}\n')
}

/**
 * The indexes 0…length-1 starting at `run` and wrapping: each round takes the cases in another order, so that
 * no case always runs at one place in the round (the case after the bare start measured slower in every
 * round when the order was fixed: 36.5 ms against 34.6 ms for a case that loads strictly more).
 */
export const rotated = (length, run) => Array.from({ length }, (_, at) => (at + run) % length)

export const runImportTime = async ({ runs = 15 } = {}) => {
  await buildZodAsBundled()
  const sink = await startSink()
  try {
    const all = [{ code: '' }, ...cases]
    // Warm the file system cache, then interleave runs so drift hits everyone alike.
    for (const entry of all) once(entry.code, sink.url)
    const times = all.map(() => [])
    for (let run = 0; run < runs; run++) for (const index of rotated(all.length, run)) times[index].push(once(all[index].code, sink.url))
    // Each run is paired with the bare start of the same round: the median of those
    // differences moves less with this machine's drift than the difference of two medians.
    const overBare = (index) => times[index].map((time, run) => time.wall - times[0][run].wall)
    const rows = cases.map((entry, at) => ({
      name: entry.name,
      kind: entry.kind,
      ms: Math.max(0, median(overBare(at + 1))),
      insideMs: median(times[at + 1].map((time) => time.inside)),
      ours: !!entry.ours,
    }))
    return { runs, bareNodeMs: median(times[0].map((time) => time.wall)), rows, target: 30 }
  } finally {
    sink.stop()
  }
}

/** The modules timed on each Node: idstitch's and the peer its target is set against. */
const byNodeModules = ['@idstitch/node', '@segment/analytics-node']

/** Node `version` to time, installed on first use; none, saying so, where it cannot be (no registry, not linux-x64). */
const newerNode = (version) => {
  try {
    return [{ version, node: installNodeRuntime(version, (message) => console.error(`[bench] ${message}`)) }]
  } catch (error) {
    console.error(`[bench] §3 leaves Node ${version} out: ${error instanceof Error ? error.message : error}`)
    return []
  }
}

/**
 * The import of each of {@link byNodeModules}, timed inside the process, on this Node and on the newer majors of
 * scripts/node-runtimes.mjs (installed on first use; one that cannot be is left out, saying so), cold and, on Node 22.1 and later, with
 * Node's compile cache (`NODE_COMPILE_CACHE`) warm: the median of `runs`, the rounds interleaving every case.
 */
export const runImportByNode = ({ runs = 15 } = {}) => {
  const nodes = [{ version: process.versions.node, node: process.execPath }, ...RUNTIMES.filter((version) => version !== process.versions.node).flatMap(newerNode)]
  const compileCache = mkdtempSync(join(tmpdir(), 'idstitch-compile-cache-'))
  try {
    const hasCache = (version) => Number(version.split('.')[0]) >= 23 || (version.startsWith('22.') && Number(version.split('.')[1]) >= 1)
    const cases = nodes.flatMap(({ version, node }) => byNodeModules.map((module) => ({ version, node, module, cache: hasCache(version), cold: [], warm: [] })))
    /** `entry`'s import, timed inside its process, with the compile cache in `directory` or none. */
    const importOf = (entry, directory) => once(`await import(${JSON.stringify(entry.module)})`, undefined, { node: entry.node, compileCache: directory }).inside
    // The first import with the cache on writes it; the rest read it.
    for (const entry of cases) if (entry.cache) importOf(entry, compileCache)
    for (let run = 0; run < runs; run++) {
      for (const entry of rotated(cases.length, run).map((index) => cases[index])) {
        entry.cold.push(importOf(entry, undefined))
        if (entry.cache) entry.warm.push(importOf(entry, compileCache))
      }
    }
    return { runs, rows: cases.map(({ version, module, cold, warm }) => ({ node: version, module, ms: median(cold), compileCacheMs: warm.length > 0 ? median(warm) : undefined })) }
  } finally {
    rmSync(compileCache, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await runImportTime({ runs: Number(process.argv[2] ?? 5) }), null, 2))
