import { createClient, getAnonymousIds } from '@idstitch/node'
import { segment } from '@idstitch/node/providers'
import { segmentRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectFailed, expectInvalid, fast, raw, useStandIn, VISITOR } from './helpers.js'

const WRITE_KEY = 'wk_segment_0123456789'
const server = useStandIn(segmentRule({ writeKeys: [WRITE_KEY] }))

const client = () => createClient({ ...fast, providers: [segment({ writeKey: WRITE_KEY, baseUrl: server.url })] })
const basic = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`

describe('segment: the local server enforces the documented rules', () => {
  const message = { type: 'identify', messageId: 'm1', timestamp: '2026-01-01T00:00:00Z', userId: 'u' }
  it.each([
    ['no write key', {}, { batch: [message] }, 401],
    ['no batch', { authorization: basic }, {}, 400],
    ['a message without userId or anonymousId', { authorization: basic }, { batch: [{ ...message, userId: undefined }] }, 400],
    ['a message over 32 KB', { authorization: basic }, { batch: [{ ...message, traits: { blob: 'x'.repeat(33 * 1024) } }] }, 400],
  ])('refuses %s', async (_, headers, body, status) => {
    expect((await raw(server, '/v1/batch', { headers, body })).status).toBe(status)
  })
})

describe('segment: identify', () => {
  it("sends analytics.js's own anonymous id, read from its ajs_anonymous_id cookie, rather than the visitor id", async () => {
    const anonymousIds = getAnonymousIds(`idstitch_visitor_id=${VISITOR}; ajs_anonymous_id=%22ajs-0f9e8d7c%22`)
    const result = await client().identify({ userId: 'usr_s_own', anonymousId: VISITOR, anonymousIds })
    expect(result.results[0]?.status).toBe('delivered')
    expect(server.accepted).toMatchObject([{ provider: 'segment', userId: 'usr_s_own', anonymousId: 'ajs-0f9e8d7c' }])
  })

  it('POSTs /v1/batch with Basic auth and { type, userId, anonymousId, traits, context, timestamp, messageId }', async () => {
    const result = await client().identify({ userId: 'usr_s_1', anonymousId: VISITOR, traits: { email: 'ada@example.com' }, context: { ip: '203.0.113.7' }, timestamp: '2026-02-01T08:00:00+01:00' })
    expect(result.results[0]).toMatchObject({ status: 'delivered', data: { success: true } })
    const [request] = server.requests
    expect(request?.headers.authorization).toBe(basic)
    expect(request?.body).toEqual({
      batch: [
        {
          type: 'identify',
          userId: 'usr_s_1',
          anonymousId: VISITOR,
          traits: { email: 'ada@example.com' },
          context: { ip: '203.0.113.7', library: { name: '@idstitch/node', version: expect.any(String) } },
          timestamp: '2026-02-01T07:00:00.000Z',
          messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      ],
    })
  })

  it('gives every message its own messageId and batches concurrent identifies', async () => {
    const c = client()
    await Promise.all(Array.from({ length: 20 }, (_, index) => c.identify({ userId: `u${index}` })))
    expect(server.requests).toHaveLength(1)
    const ids = (server.requests[0]?.body as { batch: { messageId: string }[] } | undefined)?.batch.map((m) => m.messageId)
    expect(new Set(ids).size).toBe(20)
  })

  it('refuses a message over 32 KB before sending', async () => {
    expectInvalid((await client().identify({ userId: 'u', traits: { blob: 'x'.repeat(40 * 1024) } })).results[0], 'segment', 'traits')
    expect(server.requests).toHaveLength(0)
  })

  it('requires writeKey and baseUrl', () => {
    expect(() => segment({ writeKey: WRITE_KEY } as never)).toThrowError(expect.objectContaining({ provider: 'segment', option: 'baseUrl' }))
    expect(() => segment({ baseUrl: server.url } as never)).toThrowError(expect.objectContaining({ option: 'writeKey' }))
  })

  it('reports a wrong write key as a 401 result', async () => {
    const result = await createClient({ ...fast, providers: [segment({ writeKey: 'wk_wrong_key', baseUrl: server.url })] }).identify({ userId: 'u' })
    expectFailed(result.results[0], 'HttpError', 'http_error')
    expect(result.results[0]?.httpStatus).toBe(401)
  })
})
