// Delivery under failure, over real HTTP to a DFend stand-in: backoff holds no
// concurrency slot, a transient-failure burst is delivered, Retry-After pauses
// the provider for everyone, a provider that keeps failing opens the breaker,
// and the deadline is a bound that says when a request may have landed.
import { createClient, type ClientOptions, type IdentifyResult } from '@idstitch/node'
import { dfend } from '@idstitch/node/providers'
import { dfendRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, useStandIn } from './helpers.js'

const KEY = 'sk_dfend_0123456789'
const server = useStandIn(dfendRule({ secretKeys: [KEY] }))

const client = (options: Partial<ClientOptions> = {}) => createClient({ logger: false, providers: [dfend({ apiKey: KEY, baseUrl: server.url })], ...options })
const delivered = (results: IdentifyResult[]) => results.filter((result) => result.results[0]?.status === 'delivered').length
const codes = (results: IdentifyResult[]) => results.map((result) => result.results[0]?.error?.code ?? result.results[0]?.status)

describe('delivery under failure', () => {
  it('holds no concurrency slot while a message sleeps in backoff: a healthy one passes at once', async () => {
    const idstitch = client({ concurrency: 2, retry: { limit: 1, backoff: () => 1_500 } })
    server.faults.push({ status: 500 }, { status: 500 })
    const failing = [idstitch.identify({ userId: 'usr_fail_1' }), idstitch.identify({ userId: 'usr_fail_2' })]
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    const started = Date.now()
    const healthy = await idstitch.identify({ userId: 'usr_healthy' })
    expect(healthy.results[0]?.status).toBe('delivered')
    expect(Date.now() - started).toBeLessThan(500)
    expect(codes(await Promise.all(failing))).toEqual(['delivered', 'delivered'])
  })

  it('fails, and does not try again, a 2xx web page: the base URL reached another server, not the API', async () => {
    // A base URL without the API's path, or a proxy's login page: read as success, the identify was reported delivered.
    server.faults.push({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, text: '<!doctype html><title>Welcome to nginx!</title>' })
    const result = await client({ retry: { limit: 2, backoff: 5 } }).identify({ userId: 'usr_web_page' })
    expect(expectFailed(result.results[0], 'HttpError', 'provider_rejected').message).toContain("a web page, not the API's JSON")
    expect(server.requests).toHaveLength(1)
    expect(server.accepted).toEqual([])
  })

  it('delivers at least 99 % of a burst under 30 % transient 500s, with the default retries', async () => {
    server.flaky = { rate: 0.3 }
    const idstitch = client()
    const results = await Promise.all(Array.from({ length: 1_000 }, (_, index) => idstitch.identify({ userId: `usr_burst_${index}` })))
    const failedAttempts = server.requests.length - delivered(results)
    expect(delivered(results)).toBeGreaterThanOrEqual(990)
    // Retries really happened: about 30 % of attempts failed.
    expect(failedAttempts / server.requests.length).toBeGreaterThan(0.2)
    expect(codes(results).filter((code) => code !== 'delivered').every((code) => code === 'http_error')).toBe(true)
  })

  it("pauses the provider for everyone on a 429's Retry-After, then delivers every message", async () => {
    const idstitch = client({ concurrency: 1 })
    server.faults.push({ status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } })
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => idstitch.identify({ userId: `usr_pause_${index}` })))
    expect(delivered(results)).toBe(20)
    const [refused, ...after] = server.requests
    // Nothing was sent for the second the provider asked for.
    expect(Math.min(...after.map((request) => request.at)) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(950)
    expect(server.requests).toHaveLength(21)
  })

  it('fails every queued message at once when Retry-After is longer than maxRetryAfterMs, and sends nothing more', async () => {
    const idstitch = client({ concurrency: 1 })
    server.faults.push({ status: 429, headers: { 'retry-after': '3600' }, body: { error: 'come back in an hour' } })
    const started = Date.now()
    const results = await Promise.all(Array.from({ length: 50 }, (_, index) => idstitch.identify({ userId: `usr_hour_${index}` })))
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(codes(results)[0]).toBe('rate_limited')
    expect(codes(results).slice(1).every((code) => code === 'provider_unavailable')).toBe(true)
    expect((await idstitch.identify({ userId: 'usr_later' })).results[0]?.error?.code).toBe('provider_unavailable')
    expect(server.requests).toHaveLength(1)
  })

  it("opens the circuit breaker when every attempt fails, instead of spending every message's retries", async () => {
    server.flaky = { rate: 1, status: 503 }
    const idstitch = client({ retry: { limit: 3, backoff: 10 } })
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => idstitch.identify({ userId: `usr_down_${index}` })))
    expect(delivered(results)).toBe(0)
    // Twenty failed attempts in a row open it; the requests already on the wire finish; nothing else is sent.
    expect(server.requests.length).toBeLessThanOrEqual(20 + 8)
    expect(codes(results).filter((code) => code === 'circuit_open').length).toBeGreaterThan(70)
    expect((await idstitch.identify({ userId: 'usr_while_open' })).results[0]?.error?.code).toBe('circuit_open')
  })

  it('resolves every identify of a burst by its deadline, when a slow provider cannot take them all', async () => {
    server.faults.push(...Array.from({ length: 2_000 }, () => ({ delayMs: 100 })))
    const idstitch = client({ deadlineMs: 1_000 })
    const started = Date.now()
    const late: number[] = []
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) =>
        idstitch.identify({ userId: `usr_slow_${index}` }).then((result) => {
          late.push(Date.now() - started - 1_000)
          return result
        }),
      ),
    )
    expect(Math.max(...late)).toBeLessThan(100)
    expect(delivered(results)).toBeGreaterThan(0)
    expect(new Set(codes(results))).toEqual(new Set(['delivered', 'deadline_exceeded']))
    // Those still queued at their deadline were never sent; only those on the wire say they may have landed.
    // (Not a fixed count: identifies created a few ms apart have deadlines a few ms apart, and a queued one
    // with more than 10 ms left may start when an earlier one is aborted.)
    const sent = new Set(server.requests.map((request) => (request.body as { userId?: string } | undefined)?.userId))
    const failed = results.map((result, index) => ({ result: result.results[0], userId: `usr_slow_${index}` })).filter(({ result }) => result?.status === 'failed')
    for (const { result, userId } of failed) if (!result?.maybeDelivered) expect(sent.has(userId)).toBe(false)
    expect(failed.filter(({ result }) => result?.maybeDelivered).length).toBeLessThan(failed.length)
    // Let the last requests written before their abort reach the stand-in, so none takes the next test's fault.
    for (let seen = -1, rounds = 0; seen !== server.requests.length && rounds < 40; rounds++) {
      seen = server.requests.length
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })

  it('ends an identify at its deadline, saying the provider may have accepted the request it aborted', async () => {
    server.faults.push({ hang: true })
    const started = Date.now()
    const result = await client({ deadlineMs: 300, timeoutMs: 5_000 }).identify({ userId: 'usr_hang' })
    expect(Date.now() - started).toBeLessThan(300 + 100)
    expect(result.results[0]).toMatchObject({ status: 'failed', attempts: 1, maybeDelivered: true, error: { code: 'deadline_exceeded' } })
  })
})
