// De-duplication over real HTTP: an identify equal to the last one a provider
// accepted for that user is skipped, so an app that identifies on every page
// view does not spend a metered quota (Pathbound: 100 requests per 15 minutes).
import { createClient } from '@idstitch/node'
import { pathbound, segment } from '@idstitch/node/providers'
import { pathboundRule, segmentRule } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { fast, useStandIn, VISITOR } from './helpers.js'

const KEY = 'pb_dedupe_0123'
const WRITE_KEY = 'wk_dedupe_0123'
const server = useStandIn(pathboundRule({ keys: [{ key: KEY, scopes: ['contacts:write'] }] }), segmentRule({ writeKeys: [WRITE_KEY] }))

const client = (dedupe?: Parameters<typeof createClient>[0]['dedupe']) =>
  createClient({ ...fast, retry: false, ...(dedupe === undefined ? {} : { dedupe }), providers: [pathbound({ apiKey: KEY, baseUrl: server.url }), segment({ writeKey: WRITE_KEY, baseUrl: server.url })] })
const statuses = (result: Awaited<ReturnType<ReturnType<typeof client>['identify']>>) => result.results.map((entry) => `${entry.status}${entry.reason ? `:${entry.reason}` : ''}`)

describe('de-duplication', () => {
  it('skips an identify equal to the last one each provider accepted, by default', async () => {
    const idstitch = client()
    expect(statuses(await idstitch.identify({ userId: 'usr_d1', anonymousId: VISITOR, traits: { plan: 'pro', email: 'ada@example.com' } }))).toEqual(['delivered', 'delivered'])
    const again = await idstitch.identify({ userId: 'usr_d1', anonymousId: VISITOR, traits: { plan: 'pro', email: 'ada@example.com' }, context: { page: '/pricing' } })
    expect(statuses(again)).toEqual(['skipped:duplicate', 'skipped:duplicate'])
    expect(again.ok).toBe(true)
    expect(server.requests).toHaveLength(2)
    // The same traits with their keys in another order are another text: sent again, never wrongly skipped.
    expect(statuses(await idstitch.identify({ userId: 'usr_d1', anonymousId: VISITOR, traits: { email: 'ada@example.com', plan: 'pro' } }))).toEqual(['delivered', 'delivered'])
  })

  it('follows send order: after two identifies in flight at once, the next is sent whichever landed last', async () => {
    // Second review, finding: `free` and `pro` sent together, `free` landing last, then `free` again was skipped while
    // the provider kept `pro`.
    const idstitch = createClient({ ...fast, retry: false, providers: [pathbound({ apiKey: KEY, baseUrl: server.url })] })
    server.faults.push({ delayMs: 150 }) // the first request (free) answers after the second (pro)
    const [free, pro] = await Promise.all([
      idstitch.identify({ userId: 'usr_d7', traits: { plan: 'free' } }),
      idstitch.identify({ userId: 'usr_d7', traits: { plan: 'pro' } }),
    ])
    expect([statuses(free), statuses(pro)]).toEqual([['delivered'], ['delivered']])
    expect(server.accepted.map((identify) => identify.traits.plan)).toEqual(['pro', 'free'])
    expect(statuses(await idstitch.identify({ userId: 'usr_d7', traits: { plan: 'free' } }))).toEqual(['delivered'])
    // One identify alone, delivered: its fingerprint stands.
    expect(statuses(await idstitch.identify({ userId: 'usr_d7', traits: { plan: 'free' } }))).toEqual(['skipped:duplicate'])
  })

  it('follows processing order too: the provider kept the second, though the first one\'s answer came back last', async () => {
    const idstitch = createClient({ ...fast, retry: false, providers: [pathbound({ apiKey: KEY, baseUrl: server.url })] })
    server.faults.push({ answerDelayMs: 150 }) // the first request (free) is accepted at once, and answered after the second (pro)
    const answered: string[] = []
    const results = await Promise.all(['free', 'pro'].map((plan) => idstitch.identify({ userId: 'usr_d8', traits: { plan } }).finally(() => answered.push(plan))))
    expect(results.map(statuses)).toEqual([['delivered'], ['delivered']])
    expect(server.accepted.map((identify) => identify.traits.plan)).toEqual(['free', 'pro'])
    expect(answered).toEqual(['pro', 'free'])
    // `free` answered last, but the provider holds `pro`: `free` again is news to it.
    expect(statuses(await idstitch.identify({ userId: 'usr_d8', traits: { plan: 'free' } }))).toEqual(['delivered'])
  })

  it('sends what changed: other traits, another anonymous id, another user', async () => {
    const idstitch = client()
    await idstitch.identify({ userId: 'usr_d2', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(statuses(await idstitch.identify({ userId: 'usr_d2', anonymousId: VISITOR, traits: { plan: 'team' } }))).toEqual(['delivered', 'delivered'])
    expect(statuses(await idstitch.identify({ userId: 'usr_d2', anonymousId: VISITOR, anonymousIds: { segment: 'ajs-1' }, traits: { plan: 'team' } }))).toEqual(['delivered', 'delivered'])
    expect(statuses(await idstitch.identify({ userId: 'usr_d3', anonymousId: VISITOR, traits: { plan: 'team' } }))).toEqual(['delivered', 'delivered'])
    expect(server.requests).toHaveLength(8)
  })

  it('remembers only what a provider accepted: after a failure the same identify is sent again', async () => {
    const idstitch = client()
    server.faults.push({ status: 400, body: { status: 'error', error: 'Validation failed' } })
    const first = await idstitch.identify({ userId: 'usr_d4', anonymousId: VISITOR })
    expect(first.results.map((entry) => entry.status).sort()).toEqual(['delivered', 'failed'])
    const second = await idstitch.identify({ userId: 'usr_d4', anonymousId: VISITOR })
    // The one that failed is sent again; the one that was accepted is a duplicate.
    expect(second.results.map((entry) => entry.status).sort()).toEqual(['delivered', 'skipped'])
  })

  it('forgets after ttlMs, and is off with dedupe: false', async () => {
    const short = client({ ttlMs: 50 })
    await short.identify({ userId: 'usr_d5' })
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(statuses(await short.identify({ userId: 'usr_d5' }))).toEqual(['delivered', 'delivered'])
    const off = client(false)
    await off.identify({ userId: 'usr_d6' })
    expect(statuses(await off.identify({ userId: 'usr_d6' }))).toEqual(['delivered', 'delivered'])
  })
})
