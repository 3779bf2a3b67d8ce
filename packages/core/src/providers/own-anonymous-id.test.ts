import { describe, expect, it } from 'vitest'
import { prepareEvent } from '../message.js'
import { datafast, pathbound, segment } from './index.js'

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
})
