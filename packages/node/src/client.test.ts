import { defineProvider, type ProviderRequest, type ProviderResponse, type ValidationError } from '@idstitch/core'
import { requireString } from '@idstitch/core/adapter'
import { segment } from '@idstitch/core/providers'
import { describe, expect, it, vi } from 'vitest'
import { clientFactory } from './client.js'
import type { AttemptLimits, Transport } from './transport.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

/** Every test passes its own transport; the platform's default is never used. */
const createClient = clientFactory({ transport: () => { throw new Error('the tests pass a transport') } })

/** A provider that sends `{ id }` with its key, and fails to build a request for the user 'explode'. */
const acme = defineProvider<{ apiKey: string; name?: string }, { id: string }>({
  name: 'acme',
  configure: (options, fail) => ({ apiKey: requireString(fail, 'apiKey', options.apiKey) }),
  secrets: (config) => [config.apiKey],
  prepare: (event) => (event.userId === 'skip-me' ? { type: 'skip', reason: 'told to' } : { type: 'item', item: { id: event.userId } }),
  request: ([item], config) => {
    if (item?.id === 'explode') throw new Error(`cannot build with ${config.apiKey}`)
    return { method: 'POST', url: 'https://acme.test/identify', headers: { 'x-api-key': config.apiKey }, body: item }
  },
})

/** A transport that answers every request with `status` at once, and records what it was sent. */
const answering = (status = 200, body: unknown = { ok: true }) => {
  const sent: ProviderRequest[] = []
  const transport: Transport = {
    send: vi.fn(async (request: ProviderRequest, _limits: AttemptLimits): Promise<ProviderResponse> => {
      sent.push(request)
      return { status, headers: {}, body }
    }),
    close: vi.fn(async () => {}),
  }
  return { transport, sent }
}

describe('createClient', () => {
  it('fans one identify out to every provider and returns their results in configuration order', async () => {
    const { transport, sent } = answering()
    const client = createClient({ providers: [acme({ apiKey: 'k_one' }), acme({ apiKey: 'k_two', name: 'acme-2' })], transport, logger: false })
    const result = await client.identify({ userId: 'usr_1', anonymousId: VISITOR })
    expect(result).toEqual({
      ok: true,
      // The id the message was stamped with: each identify its own.
      messageId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      results: [
        { provider: 'acme', status: 'delivered', attempts: 1, httpStatus: 200, data: { ok: true } },
        { provider: 'acme-2', status: 'delivered', attempts: 1, httpStatus: 200, data: { ok: true } },
      ],
    })
    expect(sent.map((request) => request.headers['x-api-key']).sort()).toEqual(['k_one', 'k_two'])
  })

  it('makes every result invalid for a message that fails validation, sending nothing', async () => {
    const { transport } = answering()
    const onError = vi.fn()
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, onError })
    const result = await client.identify({ userId: '' })
    expect(result.ok).toBe(false)
    expect(result.results[0]).toMatchObject({ provider: 'acme', status: 'invalid', attempts: 0, error: { code: 'validation_failed', issues: [{ provider: 'acme', path: 'userId' }] } })
    expect(transport.send).not.toHaveBeenCalled()
    expect(onError).toHaveBeenCalledOnce()
  })

  it('reports an adapter that skips, and one that throws building its request as adapter_failed, redacted', async () => {
    const { transport } = answering()
    const client = createClient({ providers: [acme({ apiKey: 'k_secret_one' })], transport, logger: false })
    expect((await client.identify({ userId: 'skip-me' })).results[0]).toMatchObject({ status: 'skipped', reason: 'told to' })
    const failed = (await client.identify({ userId: 'explode' })).results[0]
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'adapter_failed' } })
    expect(failed?.error?.message).not.toContain('k_secret_one')
  })

  it('reports an adapter that throws preparing the message as adapter_failed (not invalid: the message is fine), redacted, sending nothing', async () => {
    const { transport } = answering()
    const throwing = defineProvider<{ apiKey: string }, unknown>({
      name: 'thrower',
      configure: (options) => options,
      secrets: (config) => [config.apiKey],
      prepare: (_event, config) => {
        throw new Error(`lookup failed with ${config.apiKey}`)
      },
      request: () => ({ method: 'POST', url: 'https://thrower.test/', headers: {}, body: {} }),
    })
    const onError = vi.fn()
    const result = (await createClient({ providers: [throwing({ apiKey: 'k_secret_two' })], transport, onError }).identify({ userId: 'usr_1' })).results[0]
    expect(result).toMatchObject({ provider: 'thrower', status: 'failed', attempts: 0, error: { code: 'adapter_failed' } })
    expect(result?.error?.message).not.toContain('k_secret_two')
    expect(transport.send).not.toHaveBeenCalled()
    expect(onError).toHaveBeenCalledOnce()
  })

  it('sends nothing on a dry run and shows the request, its credentials redacted', async () => {
    const { transport } = answering()
    const client = createClient({ providers: [acme({ apiKey: 'k_secret_one' })], transport, dryRun: true })
    const [result] = (await client.identify({ userId: 'usr_1' })).results
    expect(result).toMatchObject({ status: 'skipped', request: { url: 'https://acme.test/identify', headers: { 'x-api-key': '[redacted]' }, body: { id: 'usr_1' } } })
    expect(transport.send).not.toHaveBeenCalled()
  })

  it('refuses past maxQueue (queue_full) and after shutdown (client_closed), reporting each, and closes the transport', async () => {
    const errors: string[] = []
    let release: () => void = () => {}
    const transport: Transport = {
      send: () => new Promise((resolve) => (release = () => resolve({ status: 200, headers: {}, body: {} }))),
      close: vi.fn(async () => {}),
    }
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, maxQueue: 1, onError: (error) => errors.push(error.code) })
    const first = client.identify({ userId: 'usr_1' })
    expect((await client.identify({ userId: 'usr_2' })).results[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'queue_full' } })
    await new Promise((resolve) => setTimeout(resolve, 0))
    release()
    const shutdown = client.shutdown()
    expect((await first).ok).toBe(true)
    await shutdown
    expect(transport.close).toHaveBeenCalledOnce()
    expect((await client.identify({ userId: 'usr_3' })).results[0]).toMatchObject({ status: 'failed', error: { code: 'client_closed' } })
    expect(errors).toEqual(['queue_full', 'client_closed'])
  })

  it('survives an onError that throws, and logs it', async () => {
    const { transport } = answering(400, { error: 'bad' })
    const lines: string[] = []
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, onError: () => { throw new Error('handler broke') }, logger: { error: (line) => lines.push(line) } })
    expect((await client.identify({ userId: 'usr_1' })).results[0]).toMatchObject({ status: 'failed', httpStatus: 400 })
    expect(lines).toEqual(['[idstitch] onError threw: handler broke'])
  })

  it("survives the app's async callbacks that reject (a logger, onError, telemetry, waitUntil): none is left unhandled to end the process", async () => {
    const unhandled: unknown[] = []
    const note = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', note)
    try {
      const { transport } = answering(400, { error: 'bad' })
      const rejecting = (what: string) => async () => {
        throw new Error(what)
      }
      const lines: string[] = []
      const quietLogger = { error: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) }
      const asyncLogger = { debug: rejecting('log'), info: rejecting('log'), warn: rejecting('log'), error: rejecting('log') }
      const telemetry = { identify: () => ({ end: rejecting('identify end') }), attempt: () => ({ end: rejecting('attempt end') }), lanes: rejecting('lanes') }
      const clients = [
        createClient({ providers: [acme({ apiKey: 'k_one' })], transport, logger: asyncLogger, debug: true }),
        createClient({ providers: [acme({ apiKey: 'k_one' })], transport, logger: quietLogger, onError: rejecting('service down') }),
        createClient({ providers: [acme({ apiKey: 'k_one' })], transport, logger: false, telemetry }),
        createClient({ providers: [acme({ apiKey: 'k_one' })], transport, logger: quietLogger, waitUntil: rejecting('no context') }),
      ]
      for (const client of clients) expect((await client.identify({ userId: 'usr_1' })).results[0]).toMatchObject({ status: 'failed', httpStatus: 400 })
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).toEqual([])
      // What rejected is said, as what throws is.
      expect(lines).toEqual(expect.arrayContaining(['[idstitch] onError rejected: service down', expect.stringContaining('waitUntil rejected')]))
    } finally {
      process.off('unhandledRejection', note)
    }
  })

  it('never throws for a message whose getters throw (a lazy ORM record, a Proxy): it is invalid, and flush() still resolves', async () => {
    const { transport } = answering()
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, logger: false })
    const getter = Object.defineProperty({}, 'userId', { enumerable: true, get: () => { throw new Error('lazy load failed') } })
    const trap = new Proxy({ userId: 'usr_1' }, { get: () => { throw new Error('trap') }, getPrototypeOf: () => { throw new Error('trap') } })
    for (const message of [getter, trap]) {
      let promise: Promise<unknown> | undefined
      expect(() => (promise = client.identify(message as never))).not.toThrow()
      await expect(promise).resolves.toMatchObject({ ok: false, results: [{ status: 'invalid', error: { issues: [{ path: 'message', message: expect.stringContaining('could not be read') }] } }] })
    }
    await expect(client.flush()).resolves.toBeUndefined()
    expect(transport.send).not.toHaveBeenCalled()
  })

  it("hands each identify's promise to waitUntil: the client's, or one given per call; a throwing one is only a warning", async () => {
    const { transport } = answering()
    const handed: Promise<unknown>[] = []
    const perCall: Promise<unknown>[] = []
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, waitUntil: (promise) => void handed.push(promise) })
    const first = client.identify({ userId: 'usr_1' })
    const second = client.identify({ userId: 'usr_2' }, { waitUntil: (promise) => void perCall.push(promise) })
    expect(handed).toEqual([first])
    expect(perCall).toEqual([second])
    await expect(handed[0]).resolves.toMatchObject({ ok: true })
    const warnings: string[] = []
    const throwing = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, logger: { warn: (line) => warnings.push(line) }, waitUntil: () => { throw new Error('no context') } })
    await expect(throwing.identify({ userId: 'usr_3' })).resolves.toMatchObject({ ok: true })
    expect(warnings).toEqual([expect.stringContaining('waitUntil threw')])
  })

  it('flush() resolves once every accepted identify has finished', async () => {
    const { transport } = answering()
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport })
    const done: string[] = []
    void client.identify({ userId: 'usr_1' }).then(() => done.push('identify'))
    await client.flush()
    expect(done).toEqual(['identify'])
  })

  it("keeps a provider's rate limit by a clock that does not step back with the wall clock's (NTP, a VM resumed)", async () => {
    const { transport, sent } = answering()
    const limited = defineProvider<{ apiKey: string }, { id: string }>({
      name: 'limited',
      configure: (options) => options,
      rateLimit: () => ({ limit: 2, windowMs: 150 }),
      prepare: (event) => ({ type: 'item', item: { id: event.userId } }),
      request: ([item]) => ({ method: 'POST', url: 'https://limited.test/identify', headers: {}, body: item }),
    })
    const client = createClient({ logger: false, deadlineMs: 5_000, providers: [limited({ apiKey: 'k_one' })], transport })
    const wall = Date.now
    const statuses = async (users: string[]) => (await Promise.all(users.map((userId) => client.identify({ userId })))).map((result) => result.results[0]?.status)
    try {
      expect(await statuses(['usr_1', 'usr_2'])).toEqual(['delivered', 'delivered'])
      // An hour back: measured by the wall clock, the two starts above are an hour in the future, and the window full for that hour.
      vi.spyOn(Date, 'now').mockImplementation(() => wall() - 3_600_000)
      expect(await statuses(['usr_3', 'usr_4', 'usr_5'])).toEqual(['delivered', 'delivered', 'delivered'])
    } finally {
      vi.restoreAllMocks()
    }
    expect(sent).toHaveLength(5)
  })

  it("names itself in Segment's context.library with the package's name and version", async () => {
    const { transport, sent } = answering()
    const client = createClient({ providers: [segment({ writeKey: 'wk_one', baseUrl: 'https://api.segment.io' })], transport })
    await client.identify({ userId: 'usr_1' })
    const body = JSON.parse((sent[0]?.body as { text: string } | undefined)?.text ?? '') as { batch: { context: { library: unknown } }[] }
    expect(body.batch[0]?.context.library).toEqual({ name: '@idstitch/node', version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
  })

  it('sends the message id an identify is given (a retried request keeps one copy at the provider), and refuses one a job id cannot be', async () => {
    const { transport, sent } = answering()
    const client = createClient({ providers: [segment({ writeKey: 'wk_one', baseUrl: 'https://api.segment.io' })], transport, dedupe: false })
    const given = await client.identify({ userId: 'usr_1' }, { messageId: 'req_7f3a.login-1' })
    expect(given).toMatchObject({ ok: true, messageId: 'req_7f3a.login-1' })
    const body = JSON.parse((sent[0]?.body as { text: string } | undefined)?.text ?? '') as { batch: { messageId: string }[] }
    expect(body.batch[0]?.messageId).toBe('req_7f3a.login-1')

    for (const messageId of ['', 'a:b', 'x'.repeat(129), 42]) {
      const refused = await client.identify({ userId: 'usr_1' }, { messageId } as never)
      expect(refused).toMatchObject({ ok: false, results: [{ provider: 'segment', status: 'invalid', error: { code: 'validation_failed', issues: [{ path: 'messageId' }] } }] })
    }
    expect(sent).toHaveLength(1)
  })

  it("refuses an identify's option it does not take as invalid, naming the one meant, and never throws for options that cannot be read", async () => {
    const { transport, sent } = answering()
    const client = createClient({ providers: [acme({ apiKey: 'k_one' })], transport, dedupe: false })
    const issueOf = async (options: unknown) => {
      const result = await client.identify({ userId: 'usr_1' }, options as never)
      expect(result.results[0]).toMatchObject({ status: 'invalid', error: { code: 'validation_failed' } })
      return (result.results[0]?.error as ValidationError | undefined)?.issues[0]
    }
    expect(await issueOf({ messageID: 'req_1' })).toEqual({ provider: 'acme', path: 'messageID', message: 'is not an option; did you mean `messageId`?' })
    expect(await issueOf({ waituntil: () => {} })).toMatchObject({ path: 'waituntil', message: 'is not an option; did you mean `waitUntil`?' })
    expect(await issueOf({ retries: 3 })).toMatchObject({ path: 'retries', message: 'is not one of waitUntil, messageId' })
    expect(await issueOf('req_1')).toMatchObject({ path: 'options', message: 'must be an object' })
    expect(await issueOf({ waitUntil: 'later' })).toMatchObject({ path: 'waitUntil', message: 'must be a function' })
    expect(await issueOf(new Proxy({}, { ownKeys: () => { throw new Error('boom') }, get: () => { throw new Error('boom') } }))).toMatchObject({ path: 'options', message: 'could not be read' })
    expect(sent).toHaveLength(0)
    // null and undefined are no options.
    expect((await client.identify({ userId: 'usr_1' }, null as never)).ok).toBe(true)
    expect((await client.identify({ userId: 'usr_1' }, undefined)).ok).toBe(true)
    expect(sent).toHaveLength(2)
  })
})
