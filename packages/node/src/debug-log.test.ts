import { defineProvider, type ProviderRequest, type ProviderResponse } from '@idstitch/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { clientFactory } from './client.js'
import { createClient as createNodeClient } from './index.js'
import type { LogFields } from './logger.js'
import type { Transport } from './transport.js'

const createClient = clientFactory({ transport: () => { throw new Error('the tests pass a transport') } })
const acme = defineProvider<{ apiKey: string; name?: string }, { id: string }>({
  name: 'acme',
  configure: (options) => ({ apiKey: options.apiKey }),
  secrets: (config) => [config.apiKey],
  prepare: (event) => ({ type: 'item', item: { id: event.userId as string } }),
  request: ([item], config) => ({ method: 'POST', url: `https://acme.test/identify?key=${config.apiKey}`, headers: { authorization: `Bearer ${config.apiKey}` }, body: item }),
})
/** Answers each request with the next of `answers` (then 200). */
const scripted = (...answers: ProviderResponse[]): Transport => ({
  send: async (_request: ProviderRequest): Promise<ProviderResponse> => answers.shift() ?? { status: 200, headers: {}, body: {} },
})
const recording = () => {
  const lines: { message: string; fields?: LogFields }[] = []
  return { lines, logger: { debug: (message: string, fields?: LogFields) => lines.push({ message, fields }) } }
}

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('debug lines', () => {
  it('write each attempt, its retry and its Retry-After pause, with the facts as fields and no user id or key', async () => {
    const { lines, logger } = recording()
    const client = createClient({ providers: [acme({ apiKey: 'k_secret_1' })], transport: scripted({ status: 429, headers: { 'retry-after': '0.05' }, body: {} }, { status: 503, headers: {}, body: {} }), logger, debug: true, retry: { backoff: 1 } })
    const result = await client.identify({ userId: 'usr_private_1', traits: { email: 'private@example.com' } })
    expect(result.ok).toBe(true)
    expect(lines.map((line) => line.message)).toEqual([
      '[idstitch] acme: attempt 1 (1 identify): failed, HTTP 429 (rate_limited); retry in 50 ms; Retry-After pauses every request for 50 ms',
      expect.stringMatching(/^\[idstitch\] acme: attempt 2 \(1 identify\): failed, HTTP 503 \(http_error\); retry in \d+ ms$/),
      '[idstitch] acme: attempt 3 (1 identify): delivered, HTTP 200',
    ])
    expect(lines[0]?.fields).toEqual({ event: 'attempt', provider: 'acme', kind: 'acme', method: 'POST', origin: 'https://acme.test', path: '/identify', attempt: 1, items: 1, status: 'failed', httpStatus: 429, code: 'rate_limited', next: 'retry', retryDelayMs: 50, pausedMs: 50 })
    expect(JSON.stringify(lines)).not.toMatch(/usr_private_1|private@example|k_secret_1/)
  })

  it('say when an identify is skipped as a duplicate', async () => {
    const { lines, logger } = recording()
    const client = createClient({ providers: [acme({ apiKey: 'k' })], transport: scripted(), logger, debug: true })
    await client.identify({ userId: 'usr_1' })
    await client.identify({ userId: 'usr_1' })
    expect(lines.at(-1)).toEqual({ message: '[idstitch] acme: skipped: the same identify was accepted lately (dedupe)', fields: { event: 'duplicate', provider: 'acme' } })
  })

  it('are off by default, and go to console.debug with their fields when on and no logger is given', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    await createClient({ providers: [acme({ apiKey: 'k' })], transport: scripted() }).identify({ userId: 'usr_1' })
    expect(debug).not.toHaveBeenCalled()
    await createClient({ providers: [acme({ apiKey: 'k' })], transport: scripted(), debug: true }).identify({ userId: 'usr_1' })
    expect(debug).toHaveBeenCalledWith('[idstitch] acme: attempt 1 (1 identify): delivered, HTTP 200', expect.objectContaining({ event: 'attempt', httpStatus: 200 }))
  })

  it('turn on with IDSTITCH_DEBUG=1 in Node, with no code change; debug: false still wins', async () => {
    vi.stubEnv('IDSTITCH_DEBUG', '1')
    const on = recording()
    await createNodeClient({ providers: [acme({ apiKey: 'k' })], transport: scripted(), logger: on.logger }).identify({ userId: 'usr_1' })
    expect(on.lines.map((line) => line.message)).toEqual(['[idstitch] acme: attempt 1 (1 identify): delivered, HTTP 200'])
    const off = recording()
    await createNodeClient({ providers: [acme({ apiKey: 'k' })], transport: scripted(), logger: off.logger, debug: false }).identify({ userId: 'usr_1' })
    expect(off.lines).toEqual([])
  })

  it('refuse a debug option that is not a boolean, naming it', () => {
    expect(() => createClient({ providers: [acme({ apiKey: 'k' })], transport: scripted(), debug: 'yes' as never })).toThrow(/debug.*must be true or false/)
  })
})
