// The idstitch-sandbox command: every provider's stand-in on one port, for an app's own tests and CI.
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { sandboxOptions } from './options.js'
import { startSandbox } from './sandbox.js'

const USAGE = `Usage: idstitch-sandbox [--port 4010] [--host 127.0.0.1] [--keep 10000]

Serves every provider idstitch supports on one port, each enforcing its documented identify rules,
with the inspector page at / and GET /stitched/<userId> for tests. Stops on Ctrl-C or SIGTERM.
--keep: how many of the newest requests and identifies it remembers (and shows, and answers stitches from).`

/** A port number, as the command line spells it. */
const PORT = z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().max(65_535))
/** How many requests and identifies to keep, as the command line spells it: a whole number from 1. */
const KEEP = z.string().regex(/^\d{1,9}$/).transform(Number).pipe(z.number().int().min(1))

/** The port and host the command line asks for, or a usage error. */
const argsOf = (argv: string[]): { port: number; host: string; keep: number } | string => {
  try {
    const { values } = parseArgs({ args: argv, options: { port: { type: 'string', short: 'p', default: '4010' }, host: { type: 'string', default: '127.0.0.1' }, keep: { type: 'string', default: '10000' }, help: { type: 'boolean', short: 'h' } } })
    if (values.help) return USAGE
    const port = PORT.safeParse(values.port)
    if (!port.success) return `--port must be a port number (0-65535), not ${JSON.stringify(values.port)}\n\n${USAGE}`
    const keep = KEEP.safeParse(values.keep)
    if (!keep.success) return `--keep must be a whole number from 1, not ${JSON.stringify(values.keep)}\n\n${USAGE}`
    return { port: port.data, host: values.host, keep: keep.data }
  } catch (error) {
    return `${(error as Error).message}\n\n${USAGE}`
  }
}

/** What to tell the user: where the sandbox is, and each provider's options pointed at it. */
const banner = (url: string): string =>
  [
    `idstitch sandbox on ${url} (the inspector: open it in a browser)`,
    '',
    'Point each provider at it (options for @idstitch/node/providers):',
    ...Object.entries(sandboxOptions(url)).map(([provider, options]) => `  ${provider.padEnd(11)} ${JSON.stringify(options)}`),
    '',
    `In a test: GET ${url}/stitched/<userId> answers { userId, stitched: { <provider>: [<anonymous ids>] } }.`,
  ].join('\n')

const main = async (): Promise<number> => {
  const args = argsOf(process.argv.slice(2))
  if (typeof args === 'string') {
    console[args === USAGE ? 'log' : 'error'](args)
    return args === USAGE ? 0 : 2
  }
  const sandbox = await startSandbox(args).catch((error: Error & { code?: string }) => {
    console.error(`idstitch-sandbox: ${error.message}${error.code === 'EADDRINUSE' ? ' (pass another --port, or 0 for a free one)' : ''}`)
  })
  if (!sandbox) return 1
  console.log(banner(sandbox.url))
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void sandbox.close().then(() => process.exit(0)))
  return 0
}

process.exitCode = await main()
