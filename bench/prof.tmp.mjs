import { fork, execFileSync } from 'node:child_process'
const child = fork('throughput/sink.mjs', ['0'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
const { port } = await new Promise((r) => child.once('message', r))
const url = `http://127.0.0.1:${port}`
console.log(execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', 'throughput/client.mjs', process.env.KIND || 'idstitch-segment', url, '20000', process.argv[2] || 'tight'], { encoding: 'utf8' }))
child.kill()
