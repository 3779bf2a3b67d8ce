import { fork, execFileSync } from 'node:child_process'
const child = fork('throughput/sink.mjs', ['0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
const { port } = await new Promise((r) => child.once('message', r))
const url = `http://127.0.0.1:${port}`
const kinds = (process.argv[2] || 'idstitch-segment').split(',')
const reps = Number(process.argv[3] || 3)
for (const kind of kinds) for (const mode of ['tight', 'yield']) for (let i = 0; i < reps; i++) {
  await fetch(`${url}/reset`)
  const r = JSON.parse(execFileSync(process.execPath, [...(process.env.NODEFLAGS ? process.env.NODEFLAGS.split(' ') : []), 'throughput/client.mjs', kind, url, '20000', mode], { encoding: 'utf8' }))
  const c = await (await fetch(`${url}/count`)).json()
  console.log(kind, mode, (r.cpuUs / 20000).toFixed(1), 'µs', r.maxRssMB.toFixed(0), 'MB', r.wallMs.toFixed(0), 'ms', c.messages)
}
child.kill()
