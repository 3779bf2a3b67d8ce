import { createClient, type IdstitchError, type IdentifyResult } from '@idstitch/node'
import { dfend, segment } from '@idstitch/node/providers'
import { dfendRule, segmentRule, type Fault } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { useStandIn } from './helpers.js'

const KEY = 'sk_dfend_0123456789'
const WRITE_KEY = 'wk_segment_0123456789'
const server = useStandIn(dfendRule({ secretKeys: [KEY] }), segmentRule({ writeKeys: [WRITE_KEY] }))

/** A deterministic mix of transient faults: 5xx, 429, resets, slow answers and hangs. */
const transientFaults = (count: number): Fault[] =>
  Array.from({ length: count }, (_, index): Fault | undefined => {
    switch (index % 9) {
      case 1: return { status: 503 }
      case 3: return { status: 429, headers: { 'retry-after': '0' } }
      case 5: return { reset: true }
      case 7: return { hang: true }
      case 8: return { delayMs: 30 }
      default: return undefined
    }
  }).map((fault) => fault ?? { delayMs: 0 })

describe('fire-and-forget', () => {
  it('ends every accepted message as exactly one of delivered, skipped, invalid or failed-and-reported', async () => {
    server.requests.length = 0
    server.accepted.length = 0
    server.faults.push(...transientFaults(120))
    const reported: { provider: string; userId: string | undefined; error: IdstitchError }[] = []
    const client = createClient({
      logger: false,
      timeoutMs: 300,
      deadlineMs: 4_000,
      retry: { limit: 4, backoff: 5 },
      concurrency: 4,
      onError: (error, { provider, userId }) => reported.push({ provider, userId, error }),
      providers: [dfend({ apiKey: KEY, baseUrl: server.url }), segment({ writeKey: WRITE_KEY, baseUrl: server.url })],
    })

    const total = 300
    const outcomes: IdentifyResult[] = []
    for (let index = 0; index < total; index++) {
      // Not awaited: the way a login route that does not want to wait uses it.
      const traits = index % 50 === 7 ? { email: 'not-an-email' } : { plan: 'pro' }
      void client.identify({ userId: `usr_${index}`, traits }).then((result) => outcomes.push(result))
    }
    await client.flush()

    expect(outcomes).toHaveLength(total)
    const byStatus = { delivered: 0, queued: 0, skipped: 0, invalid: 0, failed: 0 }
    for (const outcome of outcomes) {
      expect(outcome.results.map((result) => result.provider)).toEqual(['dfend', 'segment'])
      for (const result of outcome.results) byStatus[result.status]++
    }
    expect(byStatus.delivered + byStatus.skipped + byStatus.invalid + byStatus.failed).toBe(total * 2)
    expect(byStatus.invalid).toBe(6) // the six bad emails, refused by DFend only
    // Faults are transient, so most get through; those that do not fail with the fault that stopped them.
    expect(byStatus.delivered).toBeGreaterThan(total)
    for (const outcome of outcomes) {
      for (const result of outcome.results.filter((entry) => entry.status === 'failed')) {
        expect(['http_error', 'rate_limited', 'network_error', 'timeout', 'deadline_exceeded']).toContain(result.error?.code)
      }
    }

    // Every failed or invalid result was reported to onError, exactly once.
    expect(reported).toHaveLength(byStatus.failed + byStatus.invalid)
    // What the servers accepted is exactly what was reported delivered: nothing lost, nothing doubled.
    for (const provider of ['dfend', 'segment'] as const) {
      const delivered = outcomes
        .filter((outcome) => outcome.results.find((result) => result.provider === provider)?.status === 'delivered')
        .map((outcome) => outcomes.indexOf(outcome))
      const accepted = server.accepted.filter((entry) => entry.provider === provider).map((entry) => entry.userId)
      expect(new Set(accepted).size).toBe(accepted.length)
      expect(accepted).toHaveLength(delivered.length)
    }
  })

  it('reports each identify refused past maxQueue, never dropping it silently', async () => {
    const reported: string[] = []
    const client = createClient({
      logger: false,
      maxQueue: 10,
      onError: (error, { userId }) => reported.push(`${userId}:${error.code}`),
      providers: [dfend({ apiKey: KEY, baseUrl: server.url })],
    })
    const results = await Promise.all(Array.from({ length: 25 }, (_, index) => client.identify({ userId: `q_${index}` })))
    expect(results.filter((result) => result.ok)).toHaveLength(10)
    const refused = results.filter((result) => !result.ok)
    expect(refused).toHaveLength(15)
    expect(refused.every((result) => result.results[0]?.error?.code === 'queue_full')).toBe(true)
    expect(reported).toHaveLength(15)
    expect(reported[0]).toBe('q_10:queue_full')
  })

  it('flush() resolves after in-flight retries finish; shutdown() refuses later identifies', async () => {
    server.faults.push({ status: 503 }, { status: 503 })
    const reported: string[] = []
    const client = createClient({ logger: false, retry: { limit: 3, backoff: 50 }, onError: (error) => reported.push(error.code), providers: [dfend({ apiKey: KEY, baseUrl: server.url })] })
    let result: IdentifyResult | undefined
    void client.identify({ userId: 'usr_flush' }).then((value) => (result = value))
    await client.shutdown()
    expect(result?.results[0]).toMatchObject({ status: 'delivered', attempts: 3 })
    const late = await client.identify({ userId: 'usr_late' })
    expect(late).toMatchObject({ ok: false, results: [{ status: 'failed', attempts: 0, error: { code: 'client_closed' } }] })
    expect(reported).toEqual(['client_closed'])
    await client.flush()
  })
})
