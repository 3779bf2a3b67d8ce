import { isConfigError } from '@idstitch/node'
import { pathbound } from '@idstitch/node/providers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveQueueOptions, resolveWorkerOptions } from './options.js'
import { createQueue } from './queue.js'
import { createWorker } from './worker.js'

const providers = [pathbound({ apiKey: 'pb_key' })]
const refusal = (create: () => unknown) => {
  try {
    create()
  } catch (error) {
    if (isConfigError(error)) return { option: error.option, message: error.message }
    throw error
  }
  throw new Error('no ConfigError')
}

describe('queue and worker options', () => {
  it('refuse bad options with a ConfigError naming the option, before connecting', () => {
    expect(refusal(() => createQueue(null as never))).toMatchObject({ option: 'options', message: expect.stringContaining('must be an object') })
    expect(refusal(() => createWorker(null as never))).toMatchObject({ option: 'options', message: expect.stringContaining('must be an object') })
    expect(refusal(() => createQueue({ connection: 'http://localhost', providers }))).toMatchObject({ option: 'connection' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, attempts: 0 }))).toMatchObject({ option: 'attempts' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, prefix: 'a:b' }))).toMatchObject({ option: 'prefix' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers: [] }))).toMatchObject({ option: 'providers' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, concurrency: 1.5 }))).toMatchObject({ option: 'concurrency' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, onError: 'log' as never }))).toMatchObject({ option: 'onError' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, debug: 'yes' as never }))).toMatchObject({ option: 'debug' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, telemetry: 'otel' as never }))).toMatchObject({ option: 'telemetry' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, telemetry: {} as never }))).toMatchObject({ option: 'telemetry' })
    // A cluster without nodes would have become a Redis on 127.0.0.1:6379; ioredis's keyPrefix breaks BullMQ's scripts.
    expect(refusal(() => createQueue({ connection: { cluster: [] }, providers }))).toMatchObject({ option: 'connection', message: expect.stringContaining('at least one') })
    expect(refusal(() => createQueue({ connection: { host: 'localhost', keyPrefix: 'app:' }, providers }))).toMatchObject({ option: 'connection', message: expect.stringContaining('keyPrefix') })
    expect(refusal(() => createWorker({ connection: { cluster: [6379], clusterOptions: { keyPrefix: 'app:' } }, providers }))).toMatchObject({ option: 'connection' })
    expect(refusal(() => createQueue({ connection: 42 as never, providers }))).toMatchObject({ option: 'connection' })
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, prefix: '{a}{b}' }))).toMatchObject({ option: 'prefix' })
    expect(resolveQueueOptions({ connection: 'redis://localhost', providers, prefix: '{idstitch}' }).prefix).toBe('{idstitch}')
  })

  it("refuse an option they do not take (the other's included), naming the one likely meant or those there are", () => {
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, concurency: 4 } as never))).toEqual({
      option: 'concurency',
      message: expect.stringMatching(/^\[idstitch\] invalid option `concurency`: is not one of connection, prefix, providers, .*, concurrency, timeoutMs, /),
    })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, batch_window_ms: 0 } as never))).toMatchObject({ option: 'batch_window_ms', message: expect.stringContaining('did you mean `batchWindowMs`?') })
    // A producer does not retry by itself: attempts is its, timeoutMs the worker's.
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, timeoutMs: 1_000 } as never))).toMatchObject({ option: 'timeoutMs' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, attempts: 3 } as never))).toMatchObject({ option: 'attempts' })
    expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, dedupe: { secret: 'a-secret-of-16-chars', ttl: 1 } } as never))).toMatchObject({
      option: 'dedupe.ttl',
      message: '[idstitch] invalid option `dedupe.ttl`: is not one of ttlMs, secret',
    })
    expect(resolveQueueOptions({ connection: 'redis://localhost', providers, logger: false, deadlineMs: 1_000, telemetry: undefined }).attempts).toBe(20)
  })

  it("refuse a timer's wait past 2^31 - 1 ms (a timer fires at once past it), and keep a send's deadline within it", () => {
    for (const option of ['lockDurationMs', 'stalledIntervalMs', 'batchWindowMs', 'timeoutMs'] as const) {
      expect(refusal(() => createWorker({ connection: 'redis://localhost', providers, [option]: 2 ** 31 }))).toMatchObject({ option })
    }
    expect(refusal(() => createQueue({ connection: 'redis://localhost', providers, deadlineMs: 2 ** 31 }))).toMatchObject({ option: 'deadlineMs' })
    // Twice the timeout and the batch window made the sender's deadline 3e9 ms, refused as an option the app never gave.
    const worker = createWorker({ connection: 'redis://127.0.0.1:9', providers, timeoutMs: 1.5e9, logger: false })
    return worker.close()
  })

  describe('de-duplication', () => {
    afterEach(() => vi.unstubAllEnvs())
    const connection = 'redis://localhost'

    it("is the worker's: on with a secret, given or from IDSTITCH_QUEUE_SECRET, and off without one", () => {
      vi.stubEnv('IDSTITCH_QUEUE_SECRET', '')
      expect(resolveWorkerOptions({ connection, providers }).dedupe).toBe(false)
      expect(resolveWorkerOptions({ connection, providers, dedupe: { secret: 'a-secret-of-16-chars' } }).dedupe).toEqual({ ttlMs: 86_400_000, secret: 'a-secret-of-16-chars' })
      vi.stubEnv('IDSTITCH_QUEUE_SECRET', 'the-deployments-secret')
      expect(resolveWorkerOptions({ connection, providers }).dedupe).toEqual({ ttlMs: 86_400_000, secret: 'the-deployments-secret' })
      expect(resolveWorkerOptions({ connection, providers, dedupe: false }).dedupe).toBe(false)
      // A producer needs no secret, and the environment's is no concern of it.
      vi.stubEnv('IDSTITCH_QUEUE_SECRET', 'too-short')
      expect(resolveQueueOptions({ connection, providers })).not.toHaveProperty('dedupe')
    })

    it('refuses a short secret, or de-duplication asked for without one, naming dedupe.secret and never the secret', () => {
      vi.stubEnv('IDSTITCH_QUEUE_SECRET', '')
      expect(refusal(() => createWorker({ connection, providers, dedupe: { ttlMs: 1_000 } }))).toMatchObject({ option: 'dedupe.secret' })
      const short = refusal(() => createWorker({ connection, providers, dedupe: { secret: 'short-secret' } }))
      expect(short).toMatchObject({ option: 'dedupe.secret', message: expect.stringContaining('at least 16') })
      expect(short.message).not.toContain('short-secret')
      vi.stubEnv('IDSTITCH_QUEUE_SECRET', 'too-short')
      expect(refusal(() => createWorker({ connection, providers }))).toMatchObject({ option: 'dedupe.secret' })
    })

    it("refuses it on a producer, where it would do nothing, pointing to the worker's option", () => {
      expect(refusal(() => createQueue({ connection, providers, dedupe: { secret: 'a-secret-of-16-chars' } } as never))).toMatchObject({ option: 'dedupe', message: expect.stringContaining('createWorker') })
    })
  })

  describe('debug', () => {
    afterEach(() => vi.unstubAllEnvs())
    const connection = 'redis://localhost'

    it('is on when the environment has IDSTITCH_DEBUG=1 (or true), for queues and workers alike', () => {
      vi.stubEnv('IDSTITCH_DEBUG', '1')
      expect(resolveWorkerOptions({ connection, providers }).debug).toBe(true)
      vi.stubEnv('IDSTITCH_DEBUG', 'true')
      expect(resolveQueueOptions({ connection, providers }).debug).toBe(true)
    })

    it('is off otherwise, and the option wins over the environment', () => {
      vi.stubEnv('IDSTITCH_DEBUG', '')
      expect(resolveWorkerOptions({ connection, providers }).debug).toBe(false)
      vi.stubEnv('IDSTITCH_DEBUG', '1')
      expect(resolveQueueOptions({ connection, providers, debug: false }).debug).toBe(false)
    })
  })
})
