// A sink of one's own, written only with the public API (@idstitch/node/sink): an outbox of JSON
// messages, as SQS, Kafka or Cloudflare Queues would keep them, and its consumer, which delivers them
// to the providers' stand-ins over real HTTP through createSender.
import type { IdstitchError, Provider, ProviderResult } from '@idstitch/node'
import { pathbound, segment } from '@idstitch/node/providers'
import { createPipeline, createSender, restoreItem, storeItem, type Sink, type StoredItem } from '@idstitch/node/sink'
import { pathboundRule, segmentRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { useStandIn, VISITOR } from './helpers.js'

const KEY = 'pb_live_sink_0123456789'
const WRITE_KEY = 'wk_sink_0123456789'
const server = useStandIn(pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] }), segmentRule({ writeKeys: [WRITE_KEY] }))
const providers = () => [pathbound({ apiKey: KEY, baseUrl: server.url }), segment({ writeKey: WRITE_KEY, baseUrl: server.url })]

/** What the outbox holds: one JSON text per provider and identify, no credential in it. */
interface OutboxMessage {
  provider: string
  messageId: string
  stored: StoredItem
  bytes?: number | undefined
}

/** The custom sink: about ten lines, as an SQS or Kafka producer would be. */
const outboxSink = (outbox: string[]): Sink => ({
  async accept({ messageId, items }) {
    return items.map(({ provider, item, bytes }): ProviderResult => {
      const kept = storeItem(item)
      if (!kept.ok) return { provider: provider.name, status: 'failed', attempts: 0, reason: kept.reason }
      outbox.push(JSON.stringify({ provider: provider.name, messageId, stored: kept.stored, bytes } satisfies OutboxMessage))
      return { provider: provider.name, status: 'queued', attempts: 0, jobId: `${provider.name}.${messageId}` }
    })
  },
})

/** The consumer: each message restored and sent by its provider's sender (the credentials are this process's). */
const drain = async (outbox: string[], configured: Provider[]) => {
  const senders = new Map(configured.map((provider) => [provider.name, createSender(provider, { timeoutMs: 2_000 })]))
  const results = await Promise.all(
    outbox.splice(0).map((text) => {
      const message = JSON.parse(text) as OutboxMessage
      return senders.get(message.provider)?.send(restoreItem(message.stored), message.bytes)
    }),
  )
  await Promise.all([...senders.values()].map((sender) => sender.close()))
  return results
}

describe('a custom sink, built on @idstitch/node/sink', () => {
  it('gets each provider’s prepared item, keeps it without a credential, and its consumer delivers it', async () => {
    const outbox: string[] = []
    const pipeline = createPipeline({ providers: providers(), logger: false, sink: () => outboxSink(outbox) })
    const result = await pipeline.identify({ userId: 'usr_sink', anonymousId: VISITOR, traits: { plan: 'pro' } }, { messageId: 'login-42' })
    expect(result).toMatchObject({
      ok: true,
      messageId: 'login-42',
      results: [
        { provider: 'pathbound', status: 'queued', jobId: 'pathbound.login-42' },
        { provider: 'segment', status: 'queued', jobId: 'segment.login-42' },
      ],
    })
    expect(outbox).toHaveLength(2)
    for (const secret of [KEY, WRITE_KEY, Buffer.from(`${WRITE_KEY}:`).toString('base64')]) expect(outbox.join('\n')).not.toContain(secret)
    expect(server.requests).toHaveLength(0)

    const sent = await drain(outbox, providers())
    expect(sent.map((entry) => [entry?.status, entry?.permanent])).toEqual([['delivered', false], ['delivered', false]])
    expect(server.accepted.map(({ provider, userId, anonymousId }) => ({ provider, userId, anonymousId }))).toEqual(
      expect.arrayContaining([
        { provider: 'pathbound', userId: 'usr_sink', anonymousId: VISITOR },
        { provider: 'segment', userId: 'usr_sink', anonymousId: VISITOR },
      ]),
    )
    // Segment got the pipeline's message id, from the item kept as JSON text and handed back as such.
    const batch = server.requests.find((request) => request.path === '/v1/batch')?.body as { batch: { messageId: string }[] }
    expect(batch.batch[0]?.messageId).toBe('login-42')
    await pipeline.close()
  })

  it('fails the items of a sink that throws, rejects or answers too few with sink_failed, and still resolves', async () => {
    const errors: IdstitchError[] = []
    const onError = (error: IdstitchError) => void errors.push(error)
    const throwing = createPipeline({ providers: providers(), logger: false, onError, sink: () => ({ accept: () => { throw new Error(`broker down (${KEY})`) } }) })
    const rejecting = createPipeline({ providers: providers(), logger: false, onError, sink: () => ({ accept: () => Promise.reject(new Error('timed out')) }) })
    const short = createPipeline({ providers: providers(), logger: false, onError, sink: () => ({ accept: async ({ items }) => [{ provider: String(items[0]?.provider.name), status: 'queued', attempts: 0 }] }) })
    for (const pipeline of [throwing, rejecting]) {
      const result = await pipeline.identify({ userId: 'usr_sink' })
      expect(result.ok).toBe(false)
      expect(result.results.map((entry) => entry.error?.code)).toEqual(['sink_failed', 'sink_failed'])
    }
    const partly = await short.identify({ userId: 'usr_sink' })
    expect(partly.results.map((entry) => entry.status)).toEqual(['queued', 'failed'])
    expect(partly.results[1]?.error?.message).toBe('[idstitch] segment: the sink gave this item no result')
    expect(errors).toHaveLength(5)
    expect(errors.map((error) => error.message).join('\n')).not.toContain(KEY)
  })

  it('hands the sink only what is to be sent, each item with its provider’s slot, and validates messageId', async () => {
    const seen: unknown[] = []
    const pipeline = createPipeline({
      providers: providers(),
      logger: false,
      sink: () => ({ accept: async (identify) => (seen.push(identify.items.map((item) => [item.slot, item.provider.name])), identify.items.map((item) => ({ provider: item.provider.name, status: 'delivered', attempts: 1 }))) }),
    })
    // Pathbound refuses a 101-character user id before anything is sent: only Segment's item reaches the sink.
    const result = await pipeline.identify({ userId: 'x'.repeat(101) })
    expect(result.results.map((entry) => entry.status)).toEqual(['invalid', 'delivered'])
    expect(seen).toEqual([[[1, 'segment']]])
    const refused = await pipeline.identify({ userId: 'usr_sink' }, { messageId: 'no spaces allowed' })
    expect(refused.results.map((entry) => [entry.status, (entry.error as { issues?: { path: string }[] }).issues?.[0]?.path])).toEqual([['invalid', 'messageId'], ['invalid', 'messageId']])
    await pipeline.close()
    expect((await pipeline.identify({ userId: 'usr_sink' })).results[0]?.error?.code).toBe('client_closed')
  })

  it("has the sender say what a queue needs to decide: a Retry-After's wait, and whether a failure is for good", async () => {
    const sender = createSender(pathbound({ apiKey: KEY, baseUrl: server.url }), { timeoutMs: 2_000 })
    const item = (userId: string) => {
      let prepared: unknown
      createPipeline({ providers: [pathbound({ apiKey: KEY, baseUrl: server.url })], logger: false, sink: () => ({ accept: async ({ items }) => ((prepared = items[0]?.item), []) }) }).identify({ userId })
      return prepared
    }
    server.faults.push({ status: 429, headers: { 'retry-after': '7' }, body: { status: 'error', error: 'Too many requests' } })
    expect(await sender.send(item('usr_a'))).toMatchObject({ status: 'failed', attempts: 1, httpStatus: 429, retryAfterMs: 7_000, permanent: false })
    // Within the wait, the sender sends nothing to the provider and says how long is left: the consumer pauses that long.
    const held = await sender.send(item('usr_b'))
    expect(held).toMatchObject({ status: 'failed', attempts: 0, permanent: false, error: { code: 'provider_unavailable' } })
    expect(held.retryAfterMs).toBeGreaterThan(6_000)
    expect(server.requests).toHaveLength(1)
    const other = createSender(pathbound({ apiKey: KEY, baseUrl: server.url }), { timeoutMs: 2_000 })
    server.faults.push({ status: 400, body: { status: 'error', error: 'Validation failed' } })
    expect(await other.send(item('usr_c'))).toMatchObject({ status: 'failed', httpStatus: 400, permanent: true })
    expect(await other.send(item('usr_d'))).toMatchObject({ status: 'delivered', httpStatus: 200, permanent: false })
    await other.close()
    await sender.close()
  })
})
