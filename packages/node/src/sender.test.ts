import { isConfigError, type ProviderRequest } from '@idstitch/core'
import { pathbound } from '@idstitch/core/providers'
import { describe, expect, it, vi } from 'vitest'
import { createSender } from './sender.js'
import type { Transport } from './transport.js'

/** A transport that answers each request with the next of `answers`, and records what it was sent. */
const scripted = (...answers: { status: number; headers?: Record<string, string>; body?: unknown }[]) => {
  const sent: ProviderRequest[] = []
  const transport: Transport = {
    send: vi.fn(async (request: ProviderRequest) => {
      sent.push(request)
      const { status, headers = {}, body = { status: 'success' } } = answers.shift() ?? { status: 200 }
      return { status, headers, body }
    }),
    close: vi.fn(async () => {}),
  }
  return { transport, sent }
}

const item = { external_id: 'usr_1' }

describe('createSender', () => {
  it('sends one attempt with the provider’s credentials, and says whether a failure is for good', async () => {
    const { transport, sent } = scripted({ status: 503 }, { status: 400, body: { status: 'error', error: 'Validation failed' } }, { status: 200 })
    const sender = createSender(pathbound({ apiKey: 'pb_unit_key' }), { transport })
    expect(await sender.send(item)).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 503, permanent: false })
    expect(await sender.send(item)).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 400, permanent: true })
    expect(await sender.send(item)).toMatchObject({ status: 'delivered', attempts: 1, httpStatus: 200, permanent: false })
    expect(sent.map((request) => request.headers.authorization)).toEqual(['Bearer pb_unit_key', 'Bearer pb_unit_key', 'Bearer pb_unit_key'])
    // The transport was the app's: the sender leaves it open.
    await sender.close()
    expect(transport.close).not.toHaveBeenCalled()
  })

  it('checks the provider and its options with the client’s schema', () => {
    const optionOf = (create: () => unknown) => {
      try {
        create()
      } catch (error) {
        return isConfigError(error) ? error.option : 'not a ConfigError'
      }
    }
    expect(optionOf(() => createSender({} as never))).toBe('provider')
    expect(optionOf(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { timeoutMs: 0 }))).toBe('timeoutMs')
    expect(optionOf(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { concurrency: 1.5 }))).toBe('concurrency')
    // A client's "no deadline" was taken as a deadline at the moment each send began.
    expect(optionOf(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { deadlineMs: false as never }))).toBe('deadlineMs')
    expect(optionOf(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { deadlineMs: 0 }))).toBe('deadlineMs')
  })

  it("refuses an option it does not take, a client's included (retries are the queue's)", () => {
    expect(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { timeout: 1_000 } as never)).toThrowError(
      '[idstitch] invalid option `timeout`: is not one of timeoutMs, concurrency, maxResponseBytes, fetch, transport, telemetry, deadlineMs',
    )
    expect(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { retry: { limit: 2 } } as never)).toThrowError(expect.objectContaining({ option: 'retry' }))
    expect(() => createSender(pathbound({ apiKey: 'pb_unit_key' }), { MaxResponseBytes: 1 } as never)).toThrowError('did you mean `maxResponseBytes`?')
  })
})
