// The tests need Debian's Chromium (the real-browser tests), openssl (their
// TLS certificate) and redis-server (the @idstitch/queue tests). Installs what
// is missing when we may (root with apt-get); otherwise says what to install.
// Runs before the tests in `pnpm test`.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
const missing = [!existsSync(chromium) && 'chromium', !has('openssl') && 'openssl', !has('redis-server') && 'redis-server'].filter(Boolean)

if (missing.length === 0) process.exit(0)
if (process.getuid?.() === 0 && has('apt-get')) {
  console.log(`[ensure-system] installing ${missing.join(', ')} from Debian's packages for the tests…`)
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  process.exit(0)
}
console.error(`[ensure-system] the tests need ${missing.join(', ')}: install them (Debian: apt-get install -y ${missing.join(' ')}), or set CHROMIUM_PATH to a Chromium binary.`)
process.exit(1)
