import { isConfigError, type ValidationError } from '@idstitch/core'
import { pathbound, segment } from '@idstitch/core/providers'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createPipeline } from './custom-pipeline.js'
import type { IdentifyResult, ProviderResult } from './results.js'
import type { Sink, SinkIdentify } from './sink.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const providers = () => [pathbound({ apiKey: 'pb_unit_key' }), segment({ writeKey: 'wk_unit', baseUrl: 'https://api.segment.test' })]

/** A sink that records what it is handed and answers each item `status`. */
const recording = (status: ProviderResult['status'] = 'delivered') => {
  const seen: SinkIdentify[] = []
  const close = vi.fn(async () => {})
  const sink: Sink = { accept: async (identify) => (seen.push(identify), identify.items.map((item) => ({ provider: item.provider.name, status, attempts: status === 'delivered' ? 1 : 0 }))), close }
  return { seen, close, sink }
}

const optionOf = (create: () => unknown): string | undefined => {
  try {
    create()
  } catch (error) {
    return isConfigError(error) ? error.option : 'not a ConfigError'
  }
  return undefined
}

describe('createPipeline', () => {
  it('checks its options with the client’s schema, naming the option at fault', () => {
    const { sink } = recording()
    expect(optionOf(() => createPipeline({ providers: providers() } as never))).toBe('sink')
    expect(optionOf(() => createPipeline({ providers: [], sink: () => sink }))).toBe('providers')
    expect(optionOf(() => createPipeline({ providers: providers(), sink: () => sink, deadlineMs: 0 }))).toBe('deadlineMs')
    expect(optionOf(() => createPipeline({ providers: providers(), sink: () => sink, library: { name: '', version: '1' } }))).toBe('library')
    expect(optionOf(() => createPipeline(null as never))).toBe('options')
  })

  it("refuses an option it does not take, a client's included: the sink, not the pipeline, times and retries", () => {
    const { sink } = recording()
    expect(optionOf(() => createPipeline({ providers: providers(), sink: () => sink, dryrun: true } as never))).toBe('dryrun')
    expect(() => createPipeline({ providers: providers(), sink: () => sink, retry: false } as never)).toThrowError(
      '[idstitch] invalid option `retry`: is not one of providers, logger, onError, dryRun, telemetry, debug, sink, deadlineMs, dedupe, library',
    )
    expect(optionOf(() => createPipeline({ providers: providers(), sink: () => sink, dedupe: { ttl: 1 } } as never))).toBe('dedupe.ttl')
  })

  it("makes an identify invalid, handing the sink nothing, for a call option it does not take (the client's waitUntil)", async () => {
    const { seen, sink } = recording()
    const pipeline = createPipeline({ providers: providers(), sink: () => sink })
    const result = await pipeline.identify({ userId: 'usr_1' }, { waitUntil: () => {} } as never)
    expect(result.results.map((entry) => [entry.status, (entry.error as ValidationError | undefined)?.issues[0]?.path])).toEqual([['invalid', 'waitUntil'], ['invalid', 'waitUntil']])
    expect(result.results[0]?.error?.message).toContain('is not one of messageId')
    expect(seen).toHaveLength(0)
    await pipeline.close()
  })

  it('hands the sink the stamped event, its deadline and a fingerprint that ignores time and context', async () => {
    const { seen, sink } = recording()
    const pipeline = createPipeline({ providers: providers(), logger: false, deadlineMs: 1_234, library: { name: 'my-sqs-sink', version: '2.0.0' }, sink: () => sink })
    const before = Date.now()
    await pipeline.identify({ userId: 'usr_1', anonymousId: VISITOR, traits: { plan: 'pro' }, context: { ip: '203.0.113.9' } }, { messageId: 'a' })
    await pipeline.identify({ userId: 'usr_1', anonymousId: VISITOR, traits: { plan: 'pro' } }, { messageId: 'b' })
    const [first, second] = seen as [SinkIdentify, SinkIdentify]
    expect(first.event).toMatchObject({ userId: 'usr_1', messageId: 'a', library: { name: 'my-sqs-sink', version: '2.0.0' }, context: { ip: '203.0.113.9' } })
    expect(first.deadline.ms).toBe(1_234)
    expect(first.deadline.at).toBeGreaterThanOrEqual(before + 1_234)
    expect(first.fingerprint).toBe(second.fingerprint)
    expect(first.fingerprint).toContain('pro')
    await pipeline.close()
  })

  it('de-duplicates in memory when asked, remembering only what the sink answered delivered', async () => {
    for (const [status, sent] of [['delivered', 1], ['queued', 2]] as const) {
      const { seen, sink } = recording(status)
      const pipeline = createPipeline({ providers: [pathbound({ apiKey: 'pb_unit_key' })], logger: false, dedupe: {}, sink: () => sink })
      await pipeline.identify({ userId: 'usr_1', traits: { plan: 'pro' } })
      const again = await pipeline.identify({ userId: 'usr_1', traits: { plan: 'pro' } })
      expect(seen).toHaveLength(sent)
      expect(again.results[0]?.status).toBe(status === 'delivered' ? 'skipped' : 'queued')
    }
  })

  it('shows a dry run’s requests, redacted, and hands the sink nothing', async () => {
    const { seen, sink } = recording()
    const result = await createPipeline({ providers: providers(), logger: false, dryRun: true, sink: () => sink }).identify({ userId: 'usr_1' })
    expect(seen).toHaveLength(0)
    expect(result.results[0]).toMatchObject({ status: 'skipped', request: { headers: { authorization: '[redacted]' } } })
    expect(JSON.stringify(result)).not.toContain('pb_unit_key')
  })

  it('closes the sink once, after the identifies in flight have settled', async () => {
    let answer: ((results: ProviderResult[]) => void) | undefined
    const close = vi.fn(async () => {})
    const pipeline = createPipeline({ providers: [pathbound({ apiKey: 'pb_unit_key' })], logger: false, sink: () => ({ accept: () => new Promise((resolve) => (answer = resolve)), close }) })
    const pending = pipeline.identify({ userId: 'usr_1' })
    const closing = pipeline.close()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(close).not.toHaveBeenCalled()
    answer?.([{ provider: 'pathbound', status: 'delivered', attempts: 1 }])
    expect((await pending).ok).toBe(true)
    await closing
    expect(close).toHaveBeenCalledTimes(1)
  })

  it('fails what a sink left unanswered a second past the deadline: a hung sink holds neither the identify nor close()', async () => {
    vi.useFakeTimers()
    onTestFinished(() => {
      vi.useRealTimers()
    })
    let answer: ((results: ProviderResult[]) => void) | undefined
    const close = vi.fn(async () => {})
    const errors: unknown[] = []
    const hung: Sink = { accept: () => new Promise((resolve) => (answer = resolve)), close }
    const pipeline = createPipeline({ providers: providers(), onError: (error) => errors.push(error), deadlineMs: 500, sink: () => hung })
    let settled: IdentifyResult | undefined
    void pipeline.identify({ userId: 'usr_1', anonymousId: VISITOR }).then((result) => (settled = result))
    const closing = pipeline.close()
    await vi.advanceTimersByTimeAsync(1_499)
    expect(settled).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(settled?.results.map(({ provider, status, error }) => [provider, status, error?.code])).toEqual([
      ['pathbound', 'failed', 'sink_failed'],
      ['segment', 'failed', 'sink_failed'],
    ])
    expect(settled?.results[0]?.error?.message).toBe('[idstitch] pathbound: the sink gave no answer by the deadline (500 ms, and 1000 ms more); it may still have kept or sent the item')
    expect(errors).toHaveLength(2)
    // close() waits a macrotask past the last identify, so that what the app chained on it runs first.
    await vi.advanceTimersByTimeAsync(1)
    await closing
    expect(close).toHaveBeenCalledOnce()
    // Its answer, when it comes, changes nothing.
    answer?.([
      { provider: 'pathbound', status: 'delivered', attempts: 1 },
      { provider: 'segment', status: 'delivered', attempts: 1 },
    ])
    await vi.advanceTimersByTimeAsync(0)
    expect(settled?.results.map((entry) => entry.status)).toEqual(['failed', 'failed'])
  })

  it('lets go of the deadline once a sink answered: no timer outlives the identify', async () => {
    vi.useFakeTimers()
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const { sink } = recording()
    const pipeline = createPipeline({ providers: providers(), logger: false, sink: () => sink })
    const pending = pipeline.identify({ userId: 'usr_1', anonymousId: VISITOR })
    expect(vi.getTimerCount()).toBe(1)
    expect((await pending).ok).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('answers an identify whose message cannot even be read, and never rejects', async () => {
    const { sink } = recording()
    const pipeline = createPipeline({ providers: providers(), logger: false, sink: () => sink })
    const hostile = new Proxy({}, { get: () => { throw new Error('trap') } })
    const result = await pipeline.identify(hostile as never)
    expect(result.results.map((entry) => entry.status)).toEqual(['invalid', 'invalid'])
  })
})
