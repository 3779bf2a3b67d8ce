// The packed packages type-check in users' projects as they are set up: Node 10,
// Node 16 and bundler module resolution, with and without @types/node, a
// Workers project with only @cloudflare/workers-types, and a Next.js app with
// the kits (@idstitch/next, @idstitch/react). No skipLibCheck, but in the Next.js app.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../support/run.js'
import { installPacked } from './harness.js'

const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
let project: Awaited<ReturnType<typeof installPacked>>

beforeAll(async () => {
  // The kits' peers as their users have them: Next.js 16 and React 19, with React's types.
  const peers = ['next@16.5.0', 'react@19.3.1', 'react-dom@19.3.1', '@types/react@19.3.3']
  project = await installPacked(['core', 'node', 'tracker', 'next', 'react', 'sandbox'], [...peers, '@types/node@20.19.43', '@cloudflare/workers-types@5.20261117.1'])
}, 240_000)
afterAll(() => project?.remove())

/** What a server-side user writes: the client, a provider, the relay and the cookie helpers. */
const SERVER = `
import { createClient, createIdentifyHandler, getVisitorId, isHttpError, type IdentifyResult } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
export const client = createClient({ providers: [pathbound({ apiKey: 'pb_key' })] })
export const relay: (request: Request) => Promise<Response> = createIdentifyHandler({ client, authenticate: () => 'usr_1' })
export const visitor = (request: Request): string | undefined => getVisitorId(request)
export const failed = (result: IdentifyResult): boolean => result.results.some((entry) => isHttpError(entry.error))
`
/** Node-only: the Express adapter and the node:http transport. */
const NODE = `
import { toNodeHandler, createNodeHttpTransport } from '@idstitch/node/node-http'
import { createIdentifyHandler, createClient } from '@idstitch/node'
export const handler = toNodeHandler(createIdentifyHandler({ client: createClient({ providers: [], transport: createNodeHttpTransport() }), authenticate: () => null }))
`
/** A front-end: the tracker, its options and its errors. */
const BROWSER = `
import { createTracker, isValidationError, type TrackerOptions, type PresetName } from '@idstitch/tracker'
const options: TrackerOptions = { preset: 'pathbound' satisfies PresetName, endpoint: '/api/identify' }
export const identify = (id: string) => createTracker(options).identify(id).catch((error: unknown) => isValidationError(error))
`

/** A Next.js app's idstitch: the proxy, the relay route, the login and logout, the ids for the layout. */
const NEXT = `
import { idstitchIds, idstitchProxy, identifyOnLogin, lazyClient, relayRoute, resetOnLogout, type LoginIdentified, type RequestIds } from '@idstitch/next'
import { createClient } from '@idstitch/node'
export const client = lazyClient(() => createClient({ providers: [] }))
export const proxy = idstitchProxy((request) => (request.nextUrl.pathname === '/old' ? Response.redirect('https://example.com/new') : undefined), { domain: 'example.com' })
export const { POST } = relayRoute({ client, authenticate: () => null })
export const login = (id: string): Promise<LoginIdentified> => identifyOnLogin(client, id, { traits: { plan: 'pro' } })
export const logout = (): Promise<void> => resetOnLogout()
export const ids = (): Promise<RequestIds> => idstitchIds()
`
/** React components: the provider and the hook (createElement, so the file is .ts). */
const REACT = `
import { IdstitchProvider, useIdstitch, type IdstitchState } from '@idstitch/react'
import { createElement, type ReactNode } from 'react'
export const App = ({ children }: { children: ReactNode }) => createElement(IdstitchProvider, { options: { endpoint: '/api/identify' }, initial: { visitorId: undefined } }, children)
export const useIds = (): IdstitchState => useIdstitch()
`
/** A test against the sandbox. */
const SANDBOX = `
import { sandboxOptions, startSandbox, type Stitches } from '@idstitch/sandbox'
import { createClient } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
export const stitchedIn = async (userId: string): Promise<Stitches> => {
  const sandbox = await startSandbox()
  await createClient({ providers: [pathbound(sandboxOptions(sandbox.url).pathbound)] }).identify({ userId })
  return sandbox.stitched(userId)
}
`

const CASES: { name: string; compilerOptions: Record<string, unknown>; files: string[] }[] = [
  { name: 'node10 (moduleResolution node) with @types/node', compilerOptions: { module: 'commonjs', moduleResolution: 'node', types: ['node'], lib: ['ES2022', 'DOM'] }, files: [SERVER, NODE, BROWSER] },
  { name: 'node16 with @types/node', compilerOptions: { module: 'node16', moduleResolution: 'node16', types: ['node'], lib: ['ES2022', 'DOM'] }, files: [SERVER, NODE, BROWSER, REACT, SANDBOX] },
  { name: 'bundler with @types/node', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', types: ['node'], lib: ['ES2022', 'DOM'] }, files: [SERVER, NODE, BROWSER, REACT, SANDBOX] },
  // As create-next-app writes it: Next's own declarations need skipLibCheck (they do not compile without it); ours are checked without it above.
  { name: 'a Next.js app as create-next-app sets it up', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', lib: ['dom', 'dom.iterable', 'esnext'], jsx: 'preserve', skipLibCheck: true }, files: [NEXT, REACT] },
  { name: 'bundler without @types/node (an edge or browser project)', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', types: [], lib: ['ES2022', 'DOM', 'DOM.Iterable'] }, files: [SERVER, BROWSER, REACT] },
  { name: 'node16 without @types/node', compilerOptions: { module: 'node16', moduleResolution: 'node16', types: [], lib: ['ES2022', 'DOM'] }, files: [SERVER] },
  { name: 'a Workers project with only @cloudflare/workers-types', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', types: ['@cloudflare/workers-types'], lib: ['ES2022'] }, files: [SERVER] },
]

describe('the packed packages in TypeScript projects, without skipLibCheck but in the Next.js app', () => {
  it.each(CASES)('type-check in $name', async ({ name, compilerOptions, files }) => {
    const dir = join(project.dir, name.replace(/\W+/g, '-'))
    mkdirSync(dir, { recursive: true })
    for (const [index, source] of files.entries()) writeFileSync(join(dir, `consumer${index}.ts`), source)
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', skipLibCheck: false, ...compilerOptions }, include: ['*.ts'] }))
    const { code, stdout } = await run(process.execPath, [tsc, '-p', dir], { cwd: dir })
    expect(stdout).toBe('')
    expect(code).toBe(0)
  })
})
