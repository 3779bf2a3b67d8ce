// The packed packages type-check in users' projects as they are set up: Node 10,
// Node 16 and bundler module resolution, with and without @types/node, and a
// Workers project with only @cloudflare/workers-types. No skipLibCheck.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, runOrThrow } from '../support/run.js'
import { installPacked } from './harness.js'

const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
let project: Awaited<ReturnType<typeof installPacked>>

beforeAll(async () => {
  project = await installPacked()
  await runOrThrow('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '@types/node@20.19.43', '@cloudflare/workers-types@5.20261117.1'], { cwd: project.dir })
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

const CASES: { name: string; compilerOptions: Record<string, unknown>; files: string[] }[] = [
  { name: 'node10 (moduleResolution node) with @types/node', compilerOptions: { module: 'commonjs', moduleResolution: 'node', types: ['node'], lib: ['ES2022', 'DOM'] }, files: [SERVER, NODE, BROWSER] },
  { name: 'node16 with @types/node', compilerOptions: { module: 'node16', moduleResolution: 'node16', types: ['node'], lib: ['ES2022', 'DOM'] }, files: [SERVER, NODE, BROWSER] },
  { name: 'bundler with @types/node', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', types: ['node'], lib: ['ES2022', 'DOM'] }, files: [SERVER, NODE, BROWSER] },
  { name: 'bundler without @types/node (an edge or browser project)', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', types: [], lib: ['ES2022', 'DOM', 'DOM.Iterable'] }, files: [SERVER, BROWSER] },
  { name: 'node16 without @types/node', compilerOptions: { module: 'node16', moduleResolution: 'node16', types: [], lib: ['ES2022', 'DOM'] }, files: [SERVER] },
  { name: 'a Workers project with only @cloudflare/workers-types', compilerOptions: { module: 'esnext', moduleResolution: 'bundler', types: ['@cloudflare/workers-types'], lib: ['ES2022'] }, files: [SERVER] },
]

describe('the packed packages in TypeScript projects', () => {
  it.each(CASES)('type-check in $name, without skipLibCheck', async ({ name, compilerOptions, files }) => {
    const dir = join(project.dir, name.replace(/\W+/g, '-'))
    mkdirSync(dir, { recursive: true })
    for (const [index, source] of files.entries()) writeFileSync(join(dir, `consumer${index}.ts`), source)
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', skipLibCheck: false, ...compilerOptions }, include: ['*.ts'] }))
    const { code, stdout } = await run(process.execPath, [tsc, '-p', dir], { cwd: dir })
    expect(stdout).toBe('')
    expect(code).toBe(0)
  })
})
