import { createClient, isConfigError, type Logger } from '@idstitch/node'
import { datafast, defineProvider, dfend, http, pathbound, segment, thrivestack } from '@idstitch/node/providers'
import { datafastRule, dfendRule, pathboundRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectInvalid, startStandIn, useStandIn, VISITOR } from './helpers.js'

const DF_KEY = 'df_live_0123456789'
const DFEND_KEY = 'sk_dfend_0123456789'
const PB_KEY = 'pb_live_0123456789'
const server = useStandIn(
  datafastRule({ websiteKeys: [DF_KEY] }),
  dfendRule({ secretKeys: [DFEND_KEY] }),
  pathboundRule({ keys: [{ key: PB_KEY, scopes: ['contacts:write'] }] }),
)

const providers = () => [
  datafast({ apiKey: DF_KEY, baseUrl: server.url }),
  dfend({ apiKey: DFEND_KEY, baseUrl: server.url }),
  pathbound({ apiKey: PB_KEY, baseUrl: server.url }),
]

describe('createClient configuration', () => {
  it.each([
    ['no providers', { providers: [] }, 'providers'],
    ['a provider that is not one', { providers: [{ name: 'x' }] }, 'providers[0]'],
    ['a negative timeout', { timeoutMs: -1 }, 'timeoutMs'],
    ['a fractional retry limit', { retry: { limit: 1.5 } }, 'retry.limit'],
    ['a zero deadline', { deadlineMs: 0 }, 'deadlineMs'],
    ['a non-function onError', { onError: 'log' }, 'onError'],
    ['a zero maxQueue', { maxQueue: 0 }, 'maxQueue'],
    ['a dedupe that is not an object', { dedupe: true }, 'dedupe'],
    ['a zero dedupe lifetime', { dedupe: { ttlMs: 0 } }, 'dedupe.ttlMs'],
    ['retry that is neither an object nor false', { retry: 3 }, 'retry'],
    ['a backoff that is neither a number nor a function', { retry: { backoff: '1s' } }, 'retry.backoff'],
    ['a deadline that is neither a number nor false', { deadlineMs: true }, 'deadlineMs'],
    ['a logger that is not an object', { logger: 'console' }, 'logger'],
    ['a transport without send', { transport: {} }, 'transport'],
    ['a dryRun that is not a boolean', { dryRun: 'yes' }, 'dryRun'],
    ['a waitUntil that is not a function', { waitUntil: 1 }, 'waitUntil'],
    ['options that are not an object', null, 'options'],
    ['a misspelled dryRun, which would send for real', { dryrun: true }, 'dryrun'],
    ["another SDK's name for timeoutMs", { timeout: 1_000 }, 'timeout'],
    ['an option retry does not take', { retry: { limits: 1 } }, 'retry.limits'],
    ['an option dedupe does not take', { dedupe: { ttl: 60_000 } }, 'dedupe.ttl'],
    // Past 2^31 - 1 ms, a timer fires at once and ky refuses the timeout: every identify failed.
    ["a timeout past a timer's longest wait", { timeoutMs: 2 ** 31 }, 'timeoutMs'],
    ["a deadline past a timer's longest wait", { deadlineMs: 3e9 }, 'deadlineMs'],
    ["a Retry-After ceiling past a timer's longest wait", { retry: { maxRetryAfterMs: 2 ** 31 } }, 'retry.maxRetryAfterMs'],
    ["a backoff past a timer's longest wait", { retry: { maxBackoffMs: 2 ** 31 } }, 'retry.maxBackoffMs'],
  ])('throws a ConfigError naming the option for %s', (_, options, option) => {
    let thrown: unknown
    try {
      createClient((options === null ? null : { providers: providers(), ...options }) as never)
    } catch (error) {
      thrown = error
    }
    expect(isConfigError(thrown)).toBe(true)
    expect(thrown).toMatchObject({ name: 'ConfigError', code: 'config_invalid', option })
    expect((thrown as Error).message).toContain(`\`${option}\``)
  })

  it("takes a timer's longest wait, and says what it is past it", () => {
    expect(() => createClient({ providers: providers(), timeoutMs: 2 ** 31 - 1, deadlineMs: false })).not.toThrow()
    expect(() => createClient({ providers: providers(), timeoutMs: 3e9, deadlineMs: false })).toThrowError(
      '[idstitch] invalid option `timeoutMs`: must be an integer of ms from 1 to 2147483647 (a timer\'s longest wait), got 3000000000',
    )
    expect(() => pathbound({ apiKey: PB_KEY, rateLimit: { limit: 1, windowMs: 2 ** 31 } })).toThrowError(expect.objectContaining({ provider: 'pathbound', option: 'rateLimit.windowMs' }))
    expect(() => pathbound({ apiKey: PB_KEY, rateLimit: { limit: 1, windowMs: '60000' as never } })).toThrowError(expect.objectContaining({ option: 'rateLimit.windowMs' }))
  })

  it('names the option a misspelled one was likely meant to be, or lists those there are', () => {
    expect(() => createClient({ providers: providers(), dryrun: true } as never)).toThrowError('[idstitch] invalid option `dryrun`: is not an option; did you mean `dryRun`?')
    expect(() => createClient({ providers: providers(), retry: { max_retry_after_ms: 1 } } as never)).toThrowError('did you mean `maxRetryAfterMs`?')
    expect(() => createClient({ providers: providers(), timeout: 1_000 } as never)).toThrowError(/`timeout`: is not one of providers, timeoutMs, deadlineMs, retry, /)
  })

  it('refuses two providers with one name, and allows them once renamed', () => {
    const a = datafast({ apiKey: DF_KEY })
    expect(() => createClient({ providers: [a, datafast({ apiKey: 'df_other_site' })] })).toThrowError(expect.objectContaining({ provider: 'datafast', option: 'name' }))
    expect(() => createClient({ providers: [a, datafast({ apiKey: 'df_other_site', name: 'datafast-docs' })] })).not.toThrow()
  })
})

describe('identify fan-out', () => {
  it('sends to every provider in parallel and returns one result per provider, in order', async () => {
    server.faults.push({ delayMs: 300 }, { delayMs: 300 }, { delayMs: 300 })
    const started = performance.now()
    const result = await createClient({ logger: false, providers: providers() }).identify({ userId: 'usr_fan', anonymousId: VISITOR, traits: { email: 'ada@example.com' } })
    expect(performance.now() - started).toBeLessThan(800)
    expect(result.ok).toBe(true)
    expect(result.results.map((entry) => [entry.provider, entry.status])).toEqual([
      ['datafast', 'delivered'],
      ['dfend', 'delivered'],
      ['pathbound', 'delivered'],
    ])
  })

  it('keeps delivering to the others when one provider refuses the message', async () => {
    const errors: string[] = []
    const client = createClient({ logger: false, onError: (error, context) => errors.push(`${context.provider}:${error.code}`), providers: providers() })
    const result = await client.identify({ userId: 'usr_mixed', anonymousId: VISITOR, traits: { user_id: 'admin', phone: '555' } })
    expect(result.ok).toBe(false)
    expectInvalid(result.results[0], 'datafast', 'traits.user_id')
    expectInvalid(result.results[1], 'dfend', 'traits.phone')
    expect(result.results[2]?.status).toBe('delivered')
    expect(errors).toEqual(['datafast:validation_failed', 'dfend:validation_failed'])
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/identify'])
  })

  it('counts skipped as ok', async () => {
    const result = await createClient({ logger: false, providers: [datafast({ apiKey: DF_KEY, baseUrl: server.url }), dfend({ apiKey: DFEND_KEY, baseUrl: server.url })] }).identify({ userId: 'usr_skip' })
    expect(result.ok).toBe(true)
    expect(result.results.map((entry) => entry.status)).toEqual(['skipped', 'delivered'])
  })
})

describe('dryRun', () => {
  it('prepares every request, sends nothing, and redacts credentials', async () => {
    const result = await createClient({ dryRun: true, logger: false, providers: [...providers(), segment({ writeKey: 'wk_segment_0123456789', baseUrl: server.url }), thrivestack({ apiKey: 'ts_key_0123456789', baseUrl: server.url })] }).identify({
      userId: 'usr_dry',
      anonymousId: VISITOR,
      traits: { email: 'ada@example.com' },
    })
    expect(server.requests).toHaveLength(0)
    expect(result.results.every((entry) => entry.status === 'skipped' && entry.reason?.startsWith('dry run') && entry.attempts === 0)).toBe(true)
    expect(result.results[0]?.request).toEqual({
      method: 'POST',
      url: `${server.url}/api/v1/identify`,
      headers: { authorization: '[redacted]', 'content-type': 'application/json' },
      body: { user_id: 'usr_dry', datafast_visitor_id: VISITOR, email: 'ada@example.com' },
    })
    // Batching adapters serialise items once; a dry run still shows the body as a plain value.
    expect(result.results.find((entry) => entry.provider === 'segment')?.request?.body).toMatchObject({
      batch: [{ type: 'identify', userId: 'usr_dry', anonymousId: VISITOR, traits: { email: 'ada@example.com' } }],
    })
    expect(result.results.find((entry) => entry.provider === 'thrivestack')?.request?.body).toMatchObject([{ user_id: 'usr_dry' }])
    const text = JSON.stringify(result)
    for (const secret of [DF_KEY, DFEND_KEY, PB_KEY, 'wk_segment_0123456789', 'ts_key_0123456789']) expect(text).not.toContain(secret)
  })
})

describe('custom backends', () => {
  it('http() sends your body to your URL with your headers', async () => {
    const hook = await startStandIn({ name: 'crm', method: 'PUT', path: '/hooks/identify', handle: (request) => ({ response: { status: request.headers['x-crm-token'] === 'crm_token_123' ? 202 : 401, body: { queued: true } } }) })
    const result = await createClient({
      logger: false,
      providers: [http({ name: 'crm', url: `${hook.url}/hooks/identify`, method: 'PUT', headers: { 'X-CRM-Token': 'crm_token_123' }, body: (event) => ({ id: event.userId, ...event.traits }) })],
    }).identify({ userId: 'usr_crm', traits: { plan: 'pro' } })
    await hook.close()
    expect(result.results[0]).toMatchObject({ provider: 'crm', status: 'delivered', httpStatus: 202, data: { queued: true } })
    expect(hook.requests[0]?.body).toEqual({ id: 'usr_crm', plan: 'pro' })
  })

  it('http() turns a throwing or non-JSON body builder into an invalid result', async () => {
    const client = createClient({
      logger: false,
      providers: [
        http({ name: 'throws', url: 'http://127.0.0.1:9/x', body: () => { throw new Error('boom') } }),
        http({ name: 'bigint', url: 'http://127.0.0.1:9/x', body: () => ({ n: 1n }) }),
      ],
    })
    const result = await client.identify({ userId: 'u' })
    expectInvalid(result.results[0], 'throws', 'body')
    expectInvalid(result.results[1], 'bigint', 'body.n')
  })

  it('defineProvider() builds a full adapter, and a throwing one cannot crash the host', async () => {
    const broken = defineProvider<{ url: string }, string>({
      name: 'broken',
      configure: (options) => options,
      prepare: (event) => (event.userId === 'boom' ? (() => { throw new Error('prepare exploded') })() : { type: 'item', item: event.userId }),
      request: () => { throw new Error('request exploded') },
    })
    const client = createClient({ logger: false, providers: [broken({ url: 'x' })] })
    expect((await client.identify({ userId: 'boom' })).results[0]).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'adapter_failed', message: expect.stringContaining('prepare exploded') } })
    expect((await client.identify({ userId: 'ok' })).results[0]).toMatchObject({ status: 'failed', error: { code: 'adapter_failed', message: expect.stringContaining('request exploded') } })
  })
})

describe('secrets', () => {
  it('never lets a key reach a log line, an error message or onError, even when a server echoes it', async () => {
    const lines: string[] = []
    const capture = (level: string) => (line: string) => lines.push(`${level} ${line}`)
    const logger: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') }
    server.faults.push(
      { status: 401, body: { status: 'error', error: { code: 401, message: `Invalid API key ${DF_KEY}` } } },
      { status: 400, body: { error: `bad key ${DFEND_KEY} (Bearer ${PB_KEY})` } },
    )
    const client = createClient({ logger, retry: false, providers: providers() })
    const result = await client.identify({ userId: '12345', anonymousId: VISITOR })
    await client.identify({ userId: 'usr_2', anonymousId: 'nope' })
    const everything = lines.join('\n') + JSON.stringify(result) + result.results.map((entry) => entry.error?.message).join('\n')
    expect(lines.length).toBeGreaterThan(2)
    expect(everything).toContain('[redacted]')
    for (const secret of [DF_KEY, DFEND_KEY, PB_KEY]) expect(everything).not.toContain(secret)
    expect(lines.every((line) => / \[idstitch\] /.test(line))).toBe(true)
  })

  it('keeps keys out of a provider object when it is logged or serialised', () => {
    const provider = pathbound({ apiKey: PB_KEY })
    expect(JSON.stringify(provider)).not.toContain(PB_KEY)
    expect(String(Object.values(provider))).not.toContain(PB_KEY)
  })

  it('survives a logger and an onError that throw', async () => {
    const client = createClient({
      logger: { error: () => { throw new Error('logger down') }, warn: () => { throw new Error('logger down') } },
      onError: () => { throw new Error('handler down') },
      providers: providers(),
    })
    const result = await client.identify({ userId: '42', anonymousId: VISITOR, traits: { user_id: 'x' } })
    expect(result.results.map((entry) => entry.status)).toEqual(['invalid', 'delivered', 'delivered'])
  })
})
