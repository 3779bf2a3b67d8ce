import { fork, execFileSync } from 'node:child_process'
import { cpSync, rmSync } from 'node:fs'
const child = fork('throughput/sink.mjs', ['0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
const { port } = await new Promise((r) => child.once('message', r))
const url = `http://127.0.0.1:${port}`
const variants = process.argv[2].split(',')
const mode = process.argv[3] || 'tight'
const reps = Number(process.argv[4] || 5)
const res = Object.fromEntries(variants.map((v) => [v, []]))
const use = (v) => { for (const p of ['core', 'node']) { rmSync(`../packages/${p}/dist`, { recursive: true, force: true }); cpSync(`/tmp/ab/${v}/${p}`, `../packages/${p}/dist`, { recursive: true }) } }
for (let i = 0; i < reps; i++) for (const v of variants) {
  use(v)
  await fetch(`${url}/reset`)
  const r = JSON.parse(execFileSync(process.execPath, ['throughput/client.mjs', process.env.KIND || 'idstitch-segment', url, '20000', mode], { encoding: 'utf8' }))
  res[v].push([r.cpuUs / 20000, r.maxRssMB])
}
for (const v of variants) { const c = res[v].map((x) => x[0]).sort((a, b) => a - b); const m = res[v].map((x) => x[1]).sort((a, b) => a - b); console.log(v, mode, 'median', c[c.length >> 1].toFixed(1), 'min', c[0].toFixed(1), 'µs; rss median', m[m.length >> 1].toFixed(0)) }
child.kill()
