import { createClient, createKyTransport, type ClientOptions, type Transport } from '@idstitch/node'
import { createNodeHttpTransport } from '@idstitch/node/node-http'
import { createUndiciTransport } from '@idstitch/node/undici'
import { dfend, pathbound } from '@idstitch/node/providers'
import { dfendRule, pathboundRule } from '@idstitch/sandbox'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { expectFailed, startStandIn, useStandIn } from './helpers.js'

const KEY = 'sk_dfend_0123456789'
const server = useStandIn(dfendRule({ secretKeys: [KEY] }))

/**
 * A transport an app wrote, which ends nothing by itself (not `bounded`): the delivery lane must end its attempts
 * through the AbortSignal it passes. (Here node:http, told of no timeout or deadline, honouring only the signal.)
 */
const unbounded = (): Transport => {
  const inner = createNodeHttpTransport()
  return {
    send: (request, limits) => inner.send(request, { timeoutMs: 60_000, deadlineMs: Number.POSITIVE_INFINITY, maxResponseBytes: limits.maxResponseBytes, ...(limits.signal ? { signal: limits.signal } : {}) }),
    close: () => inner.close?.() ?? Promise.resolve(),
  }
}

/** Every fault is exercised over every transport: node:http (the `node` export condition), ky over fetch (everywhere else), undici (opt-in), and one of an app's own. */
const transports: [string, () => Transport][] = [
  ['node:http agents', () => createNodeHttpTransport()],
  ['undici (opt-in)', () => createUndiciTransport()],
  ['ky over fetch', () => createKyTransport()],
  ['a transport that is not bounded', unbounded],
]

const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now()
  const value = await work()
  return [value, performance.now() - started]
}

describe.each(transports)('over %s', (_, transport) => {
  const client = (options: Partial<ClientOptions> = {}) =>
    createClient({ logger: false, retry: { limit: 3, backoff: 10 }, timeoutMs: 1_000, deadlineMs: 5_000, transport: transport(), providers: [dfend({ apiKey: KEY, baseUrl: server.url })], ...options })

  describe('retries', () => {
    it('retries a burst of 5xx and delivers', async () => {
      server.faults.push({ status: 503 }, { status: 500 }, { status: 502 })
      const result = await client().identify({ userId: 'u_5xx' })
      expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 4, httpStatus: 200 })
      expect(server.requests).toHaveLength(4)
    })

    it('gives up after retry.limit retries with the last HttpError', async () => {
      server.faults.push({ status: 500, body: { error: 'down' } }, { status: 500 }, { status: 500 }, { status: 503, body: { error: 'still down' } })
      const result = await client().identify({ userId: 'u_down' })
      const error = expectFailed(result.results[0], 'HttpError', 'http_error')
      expect(result.results[0]).toMatchObject({ attempts: 4, httpStatus: 503 })
      expect(error.message).toContain('still down')
      expect(server.requests).toHaveLength(4)
    })

    it("keeps a provider's words short and printable in the error and in every log line", async () => {
      // A broken or hostile endpoint: an escape sequence that clears the terminal, then 100,000 characters.
      server.faults.push({ status: 400, body: { error: `\u001b[2J\u202egone${'x'.repeat(100_000)}` } })
      const lines: string[] = []
      const logger = { warn: (line: string) => lines.push(line), error: (line: string) => lines.push(line) }
      const result = await client({ logger }).identify({ userId: 'u_hostile_words' })
      const error = expectFailed(result.results[0], 'HttpError', 'http_error')
      expect(error.message).toContain('\\u001b[2J\\u202egonexxx')
      expect(error.message).toContain('... (99509 more characters)')
      expect(error.message.length).toBeLessThan(700)
      expect(lines.length).toBeGreaterThan(0)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what must not be there.
      for (const text of [error.message, ...lines]) expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]|x{600}/)
    })

    it('retries 408 and 429, never other 4xx', async () => {
      server.faults.push({ status: 408 }, { status: 429 })
      expect((await client().identify({ userId: 'u_408' })).results[0]).toMatchObject({ status: 'delivered', attempts: 3 })
      for (const status of [400, 401, 403, 404, 409, 422]) {
        server.requests.length = 0
        server.faults.push({ status, body: { error: `nope ${status}` } })
        const result = await client().identify({ userId: `u_${status}` })
        expect(result.results[0]).toMatchObject({ status: 'failed', attempts: 1, httpStatus: status })
        expect(server.requests).toHaveLength(1)
      }
    })

    it('honours Retry-After on a 429', async () => {
      server.faults.push({ status: 429, headers: { 'retry-after': '1' } })
      const [result, elapsed] = await timed(() => client().identify({ userId: 'u_429' }))
      expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 2 })
      expect(elapsed).toBeGreaterThanOrEqual(950)
      expect(elapsed).toBeLessThan(3_000)
    })

    it('backs off without Retry-After, with exponential jitter', async () => {
      server.faults.push({ status: 429 }, { status: 429 })
      const [result, elapsed] = await timed(() => client({ retry: { limit: 3, backoff: 100 } }).identify({ userId: 'u_429b' }))
      expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 3 })
      // 50..100 ms, then 100..200 ms
      expect(elapsed).toBeGreaterThanOrEqual(150)
    })

    it('does not wait for a Retry-After longer than retry.maxRetryAfterMs, and sends nothing more until it ends', async () => {
      server.faults.push({ status: 503, headers: { 'retry-after': '3600' } })
      const idstitch = client({ retry: { limit: 1, maxRetryAfterMs: 100 } })
      const [result, elapsed] = await timed(() => idstitch.identify({ userId: 'u_cap' }))
      expect(result.results[0]).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 503 })
      expect(elapsed).toBeLessThan(1_000)
      expect(expectFailed((await idstitch.identify({ userId: 'u_next' })).results[0], 'IdstitchError', 'provider_unavailable').message).toContain('Retry-After')
      expect(server.requests).toHaveLength(1)
    })

    it('does not wait for a Retry-After that ends past the deadline', async () => {
      server.faults.push({ status: 429, headers: { 'retry-after': '30' }, body: { error: 'slow down' } })
      const [result, elapsed] = await timed(() => client({ deadlineMs: 2_000, retry: { limit: 3, maxRetryAfterMs: 60_000 } }).identify({ userId: 'u_late' }))
      expect(expectFailed(result.results[0], 'HttpError', 'rate_limited').message).toContain('slow down')
      expect(elapsed).toBeLessThan(500)
    })

    it('uses a custom backoff function', async () => {
      const calls: number[] = []
      server.faults.push({ status: 500 }, { status: 500 })
      const result = await client({ retry: { limit: 2, backoff: (retry) => (calls.push(retry), 1) } }).identify({ userId: 'u_fn' })
      expect(result.results[0]?.status).toBe('delivered')
      expect(calls).toEqual([1, 2])
    })

    it('makes a single attempt with retry: false', async () => {
      server.faults.push({ status: 503 })
      expect((await client({ retry: false }).identify({ userId: 'u_once' })).results[0]).toMatchObject({ status: 'failed', attempts: 1 })
    })
  })

  describe('timeouts and broken connections', () => {
    it('times out a hanging attempt after timeoutMs and retries', async () => {
      server.faults.push({ hang: true })
      const result = await client({ timeoutMs: 200 }).identify({ userId: 'u_hang_once' })
      expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 2 })
    })

    it('fails with TimeoutError (timeout) when every attempt hangs', async () => {
      server.faults.push({ hang: true }, { hang: true }, { hang: true })
      const [result, elapsed] = await timed(() => client({ timeoutMs: 150, retry: { limit: 2, backoff: 5 } }).identify({ userId: 'u_hang' }))
      const error = expectFailed(result.results[0], 'TimeoutError', 'timeout')
      expect(error.message).toContain('150 ms')
      expect(result.results[0]?.attempts).toBe(3)
      expect(elapsed).toBeLessThan(2_000)
    })

    it('ends a hanging identify at the deadline with TimeoutError (deadline_exceeded)', async () => {
      server.faults.push({ hang: true }, { hang: true }, { hang: true }, { hang: true })
      const [result, elapsed] = await timed(() => client({ timeoutMs: 5_000, deadlineMs: 400 }).identify({ userId: 'u_deadline' }))
      expectFailed(result.results[0], 'TimeoutError', 'deadline_exceeded')
      expect(elapsed).toBeGreaterThanOrEqual(390)
      expect(elapsed).toBeLessThan(1_500)
    })

    it('ends an identify still queued behind a busy lane at its deadline, having sent nothing', async () => {
      server.faults.push({ hang: true })
      const c = client({ concurrency: 1, timeoutMs: 5_000, deadlineMs: 400 })
      const [[first, second], elapsed] = await timed(() => Promise.all([c.identify({ userId: 'u_busy' }), c.identify({ userId: 'u_queued' })]))
      expectFailed(first.results[0], 'TimeoutError', 'deadline_exceeded')
      expect(expectFailed(second.results[0], 'TimeoutError', 'deadline_exceeded')).toBeDefined()
      expect(second.results[0]?.attempts).toBe(0)
      expect(server.requests).toHaveLength(1)
      expect(elapsed).toBeLessThan(1_500)
    })

    it('retries a reset connection and delivers', async () => {
      server.faults.push({ reset: true })
      expect((await client().identify({ userId: 'u_reset' })).results[0]).toMatchObject({ status: 'delivered', attempts: 2 })
    })

    it('retries a response cut off mid-body and delivers', async () => {
      server.faults.push({ truncate: true })
      const [result, elapsed] = await timed(() => client().identify({ userId: 'u_truncated' }))
      expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 2 })
      // Noticed when the connection closes, not at the attempt's 1 s timeout.
      expect(elapsed).toBeLessThan(800)
    })

    it('reports a refused connection as a NetworkError after retrying', async () => {
      const probe = createServer()
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
      const { port } = probe.address() as { port: number }
      await new Promise((resolve) => probe.close(resolve))
      const result = await createClient({ logger: false, retry: { limit: 2, backoff: 5 }, transport: transport(), providers: [dfend({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}` })] }).identify({ userId: 'u' })
      const error = expectFailed(result.results[0], 'NetworkError', 'network_error')
      expect(error.cause).toBeDefined()
      expect(result.results[0]?.attempts).toBe(3)
    })
  })

  describe('hostile answers (second review)', () => {
    it('reads at most maxResponseBytes of an answer, drops the connection, and fails response_too_large without retrying', async () => {
      // A body past V8's string limit crashed the host from node:http's data listener; 100 MB was read whole.
      server.faults.push({ bodyBytes: 64 * 1024 * 1024 })
      const [result, elapsed] = await timed(() => client().identify({ userId: 'u_huge' }))
      expectFailed(result.results[0], 'IdstitchError', 'response_too_large')
      expect(result.results[0]).toMatchObject({ attempts: 1, maybeDelivered: true })
      expect(server.requests).toHaveLength(1)
      expect(elapsed).toBeLessThan(2_000)
      // An option: a smaller cap.
      server.faults.push({ bodyBytes: 20_000 })
      expectFailed((await client({ maxResponseBytes: 10_000 }).identify({ userId: 'u_cap' })).results[0], 'IdstitchError', 'response_too_large')
    })

    it('caps what a compressed answer inflates to: no result holds more than the cap', async () => {
      // ~150 kB of gzip on the wire, 150 MB inflated: fetch decompresses (ky's transport counts what it inflates to);
      // node:http and undici decompress nothing, so they read the 150 kB as it is.
      server.faults.push({ bodyBytes: 150 * 1024 * 1024, gzip: true })
      const result = await client({ retry: false }).identify({ userId: 'u_bomb' })
      expect(JSON.stringify(result).length).toBeLessThan(1_100_000)
      if (result.results[0]?.error?.code === 'response_too_large') expect(result.results[0].attempts).toBe(1)
      else expect(JSON.stringify(result.results[0]?.error ?? result.results[0]?.data ?? '').length).toBeLessThan(400_000)
    })

    it('follows no redirect: a 3xx fails redirect_refused, naming only the origin, and nothing reaches it', async () => {
      // fetch re-sent DFend's x-api-key and PostHog's api_key in the body to the host a 307 named.
      const elsewhere = await startStandIn(dfendRule({ secretKeys: [KEY] }))
      try {
        server.faults.push({ status: 307, headers: { location: `${elsewhere.url}/v1/collect?token=leak` } })
        const result = await client().identify({ userId: 'u_redirect' })
        const error = expectFailed(result.results[0], 'HttpError', 'redirect_refused')
        expect(result.results[0]).toMatchObject({ attempts: 1, httpStatus: 307 })
        expect(error.message).toContain(elsewhere.url)
        expect(error.message).not.toContain('token=leak')
        expect(elsewhere.requests).toHaveLength(0)
        expect(server.requests).toHaveLength(1)
      } finally {
        await elsewhere.close()
      }
    })
  })
})

describe('client-side rate limit (Pathbound)', () => {
  const PB = 'pb_live_0123456789'
  it('queues instead of collecting 429s', async () => {
    const pb = await startStandIn(pathboundRule({ keys: [{ key: PB, scopes: ['contacts:write'] }], rateLimit: { limit: 5, windowMs: 400 } }))
    const c = createClient({ logger: false, providers: [pathbound({ apiKey: PB, baseUrl: pb.url, rateLimit: { limit: 5, windowMs: 400 } })] })
    const [results, elapsed] = await timed(() => Promise.all(Array.from({ length: 12 }, (_, index) => c.identify({ userId: `usr_rl_${index}` }))))
    await pb.close()
    expect(results.every((result) => result.results[0]?.status === 'delivered' && result.results[0].attempts === 1)).toBe(true)
    expect(pb.requests).toHaveLength(12)
    expect(elapsed).toBeGreaterThanOrEqual(790)
  })

  it('fails fast with client_rate_limited when no slot frees up before the deadline, sending nothing', async () => {
    const pb = await startStandIn(pathboundRule({ keys: [{ key: PB, scopes: ['contacts:write'] }] }))
    const c = createClient({ logger: false, deadlineMs: 1_000, providers: [pathbound({ apiKey: PB, baseUrl: pb.url })] })
    const first = await Promise.all(Array.from({ length: 100 }, (_, index) => c.identify({ userId: `usr_q_${index}` })))
    expect(first.every((result) => result.ok)).toBe(true)
    const [late, elapsed] = await timed(() => c.identify({ userId: 'usr_q_late' }))
    await pb.close()
    const error = expectFailed(late.results[0], 'IdstitchError', 'client_rate_limited')
    expect(error.message).toContain('100 requests per 900 s')
    expect(late.results[0]?.attempts).toBe(0)
    expect(pb.requests).toHaveLength(100)
    expect(elapsed).toBeLessThan(200)
  })
})
