// Cold start: time from process start to `await import(X)` done, minus a bare node start run beside it.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { median } from '../lib/measure.mjs'

const cwd = fileURLToPath(new URL('..', import.meta.url))
export const modules = ['@idstitch/node', '@idstitch/node/undici', '@segment/analytics-node', 'posthog-node', 'ky', 'zod', 'undici']

/**
 * One `node` process that imports `specifier` (or nothing): its wall time, and
 * the time the import itself took inside it (a steadier figure on a noisy
 * machine, since a bare start's own variance does not enter it), in ms.
 */
const once = (specifier) => {
  const code = specifier ? `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t))` : ''
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`importing ${specifier} failed`)
  return { wall: Number(process.hrtime.bigint() - started) / 1e6, inside: Number(result.stdout) || 0 }
}

export const runImportTime = ({ runs = 15 } = {}) => {
  // Warm the file system cache, then interleave runs so drift hits everyone alike.
  for (const specifier of ['', ...modules]) once(specifier)
  const times = Object.fromEntries(['', ...modules].map((specifier) => [specifier, []]))
  for (let run = 0; run < runs; run++) for (const specifier of ['', ...modules]) times[specifier].push(once(specifier))
  // Each run's import is paired with the bare start of the same round: the median of those
  // differences moves less with this machine's drift than the difference of two medians.
  const overBare = (name) => times[name].map((time, run) => time.wall - times[''][run].wall)
  return {
    runs,
    bareNodeMs: median(times[''].map((time) => time.wall)),
    rows: modules.map((name) => ({
      name,
      ms: Math.max(0, median(overBare(name))),
      insideMs: median(times[name].map((time) => time.inside)),
      ours: name.startsWith('@idstitch/'),
    })),
    target: 30,
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(runImportTime(), null, 2))
