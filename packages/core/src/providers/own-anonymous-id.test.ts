import { describe, expect, it } from 'vitest'
import { prepareEvent } from '../message.js'
import { datafast, mixpanel, pathbound, segment } from './index.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'
const OWN = '5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
const eventOf = (message: Record<string, unknown>) => {
  const prepared = prepareEvent({ userId: 'usr_1', ...message }, { messageId: 'm', now: new Date(0), library: { name: 'test', version: '0' } })
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.issues))
  return prepared.event
}

describe("each adapter sends the tool's own anonymous id when it has one", () => {
  it('Segment: its ajs_anonymous_id, else the visitor id', () => {
    const provider = segment({ writeKey: 'wk', baseUrl: 'https://api.segment.io' })
    const own = provider.prepare(eventOf({ anonymousId: VISITOR, anonymousIds: { segment: 'ajs-anon-1', ga4: '1.2' } }))
    expect(own.type === 'item' && JSON.parse((own.item as { text: string }).text).anonymousId).toBe('ajs-anon-1')
    const fallback = provider.prepare(eventOf({ anonymousId: VISITOR, anonymousIds: { ga4: '1.2' } }))
    expect(fallback.type === 'item' && JSON.parse((fallback.item as { text: string }).text).anonymousId).toBe(VISITOR)
  })

  it("DataFast and Pathbound: their own visitor cookie's UUID, and an invalid one named by its path", () => {
    const df = datafast({ apiKey: 'df_key' })
    expect(df.prepare(eventOf({ anonymousId: VISITOR, anonymousIds: { datafast: OWN } }))).toMatchObject({ type: 'item', item: { datafast_visitor_id: OWN } })
    expect(df.prepare(eventOf({ anonymousIds: { datafast: OWN } }))).toMatchObject({ type: 'item', item: { datafast_visitor_id: OWN } })
    expect(df.prepare(eventOf({ anonymousIds: { datafast: 'GA1.2' } }))).toMatchObject({ type: 'invalid', issues: [{ path: 'anonymousIds.datafast' }] })
    const pb = pathbound({ apiKey: 'pb_key' })
    expect(pb.prepare(eventOf({ anonymousId: VISITOR, anonymousIds: { pathbound: OWN } }))).toMatchObject({ type: 'item', item: { anonymous_id: OWN } })
    expect(pb.prepare(eventOf({ anonymousId: VISITOR }))).toMatchObject({ type: 'item', item: { anonymous_id: VISITOR } })
    expect(pb.prepare(eventOf({ anonymousIds: { pathbound: 'nope' } }))).toMatchObject({ type: 'invalid', issues: [{ path: 'anonymousIds.pathbound' }] })
  })

  it("Mixpanel: its own device id as $device_id, an insert id Mixpanel takes whatever the message id, and placeholders refused", () => {
    const provider = mixpanel({ token: 'mptoken0123' })
    const own = provider.prepare(eventOf({ anonymousId: VISITOR, anonymousIds: { mixpanel: OWN } }))
    expect(own).toMatchObject({ type: 'item', item: { event: { properties: { $device_id: OWN, $user_id: 'usr_1', $insert_id: 'm' } } } })
    expect(provider.prepare(eventOf({ anonymousId: VISITOR }))).toMatchObject({ type: 'item', item: { event: { properties: { $device_id: VISITOR } } } })
    const insertIds = ['order:42', 'order/42', 'x'.repeat(40)].map((messageId) => {
      const prepared = provider.prepare({ ...eventOf({}), messageId })
      return prepared.type === 'item' ? (prepared.item as { event: { properties: { $insert_id: string } } }).event.properties.$insert_id : ''
    })
    for (const id of insertIds) expect(id).toMatch(/^[A-Za-z0-9-]{1,36}$/)
    expect(new Set(insertIds).size).toBe(3)
    expect(provider.prepare({ ...eventOf({}), messageId: 'order:42' })).toMatchObject({ item: { event: { properties: { $insert_id: insertIds[0] } } } })
    expect(provider.prepare(eventOf({ anonymousIds: { mixpanel: 'undefined' } }))).toMatchObject({ type: 'invalid', issues: [{ path: 'anonymousIds.mixpanel' }] })
  })
})
