import type { IdstitchError, ProviderResult, ValidationError } from '@idstitch/node'
import { startProviderServer, startSandbox, type ProviderRule, type ProviderServer, type Sandbox, type SandboxOptions } from '@idstitch/sandbox'
import { afterAll, beforeAll, beforeEach, expect, onTestFinished } from 'vitest'

export const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
export const OTHER_VISITOR = '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10'
export const PROJECT = '5d5b0676-ce0f-4058-b2bf-49af49f61cb5'

/** Client options for tests: silent, fast retries, short deadlines. */
export const fast = { logger: false as const, retry: { limit: 2, backoff: 5 }, timeoutMs: 2_000, deadlineMs: 5_000 }

/** Asserts a result is `invalid` with an issue at `path` naming `provider`, and returns the error. */
export const expectInvalid = (result: ProviderResult | undefined, provider: string, path: string): ValidationError => {
  expect(result?.status).toBe('invalid')
  expect(result?.attempts).toBe(0)
  const error = result?.error as ValidationError
  expect(error.name).toBe('ValidationError')
  expect(error.code).toBe('validation_failed')
  expect(error.issues).toContainEqual(expect.objectContaining({ provider, path }))
  expect(error.message).toContain(provider)
  expect(error.message).toContain(path)
  return error
}

/** Asserts a result is `failed` with the given error class and code. */
export const expectFailed = (result: ProviderResult | undefined, name: string, code: string): IdstitchError => {
  expect(result?.status).toBe('failed')
  expect(result?.error?.name).toBe(name)
  expect(result?.error?.code).toBe(code)
  return result?.error as IdstitchError
}

/** Sends a raw request, bypassing the SDK, to check that a local server really enforces a rule. */
export const raw = async (server: ProviderServer, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }) => {
  const response = await fetch(server.url + path, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> }
}

/**
 * A server for one file's tests: started before them, its records, faults and flakiness emptied before
 * each, closed after. Read it as the server once the tests run.
 */
const useServer = <Server extends ProviderServer>(start: () => Promise<Server>): Server => {
  let server: Server | undefined
  beforeAll(async () => {
    server = await start()
  })
  afterAll(() => server?.close())
  beforeEach(() => {
    if (!server) return
    server.requests.length = 0
    server.accepted.length = 0
    server.faults.length = 0
    server.flaky = undefined
  })
  return new Proxy({} as Server, {
    get: (_, key) => Reflect.get(server as Server, key),
    set: (_, key, value) => Reflect.set(server as Server, key, value),
  })
}

/** The stand-ins of `rules`, for one file's tests: the way every contract test sets up its providers. */
export const useStandIn = (...rules: ProviderRule[]): ProviderServer => useServer(() => startProviderServer(rules))

/** The whole sandbox (every provider's stand-in, as the demo runs it), for one file's tests. */
export const useSandbox = (): Sandbox => useServer(() => startSandbox())

/** A sandbox of its own for one test, with `options` (a `keep`): started now, closed when the test ends. */
export const startOwnSandbox = async (options: SandboxOptions): Promise<Sandbox> => {
  const sandbox = await startSandbox(options)
  onTestFinished(() => sandbox.close())
  return sandbox
}

/**
 * A stand-in of its own for one test (another configuration than the file's, or a second server):
 * started now, closed when the test ends, whatever happens.
 */
export const startStandIn = async (...rules: ProviderRule[]): Promise<ProviderServer> => {
  const server = await startProviderServer(rules)
  onTestFinished(() => server.close())
  return server
}
