import { createClient, type IdentifyMessage } from '@idstitch/node'
import { BUILT_IN_PROVIDERS, pathbound } from '@idstitch/node/providers'
import { demoProviders } from '@idstitch/demo/providers'
import { SANDBOX_CREDENTIALS as keys } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectInvalid, useSandbox, VISITOR } from './helpers.js'

const server = useSandbox()

const NAMES = Object.keys(BUILT_IN_PROVIDERS)
/** Every provider, pointed at the sandbox (the demo's configuration). */
const everyProvider = () => createClient({ logger: false, providers: demoProviders(server.url, {}).providers })

const circular: Record<string, unknown> = { name: 'loop' }
circular.self = circular

describe('bad input is refused for every provider, naming the field, sending nothing', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a missing userId', { anonymousId: VISITOR }, 'userId', /is required/],
    ['an empty userId', { userId: '' }, 'userId', /must not be empty/],
    ['a blank userId', { userId: '   ' }, 'userId', /blank/],
    ['a numeric userId', { userId: 42 }, 'userId', /must be a string/],
    ['an empty anonymousId', { userId: 'u', anonymousId: '' }, 'anonymousId', /empty/],
    ['an anonymousId that is not a UUID', { userId: 'u', anonymousId: 'visitor-1' }, 'anonymousId', /must be a UUID/],
    ['a tampered visitor cookie', { userId: 'u', anonymousId: `${VISITOR}; admin=1` }, 'anonymousId', /must be a UUID/],
    ['traits that are an array', { userId: 'u', traits: ['a'] }, 'traits', /plain object/],
    ['traits that are a Map', { userId: 'u', traits: new Map([['a', 1]]) }, 'traits', /plain object/],
    ['circular traits', { userId: 'u', traits: circular }, 'traits.self', /circular/],
    ['a BigInt trait', { userId: 'u', traits: { seats: 10n } }, 'traits.seats', /BigInt/],
    ['a function trait', { userId: 'u', traits: { fn: () => 1 } }, 'traits.fn', /function/],
    ['a NaN trait', { userId: 'u', traits: { score: Number.NaN } }, 'traits.score', /NaN/],
    ['a nested Set', { userId: 'u', traits: { tags: new Set(['a']) } }, 'traits.tags', /Set/],
    ['an __proto__ key from JSON', { userId: 'u', traits: JSON.parse('{"__proto__": {"admin": true}}') }, 'traits.__proto__', /reserved/],
    ['a constructor key', { userId: 'u', traits: { constructor: 'x' } }, 'traits.constructor', /reserved/],
    ['a nested prototype key', { userId: 'u', context: { page: { prototype: {} } } }, 'context.page.prototype', /reserved/],
    ['an invalid timestamp string', { userId: 'u', timestamp: 'yesterday' }, 'timestamp', /ISO 8601/],
    ['an invalid Date', { userId: 'u', timestamp: new Date('nope') }, 'timestamp', /Date/],
    ['context that is a string', { userId: 'u', context: 'web' }, 'context', /plain object/],
  ])('%s', async (_, message, path, text) => {
    const result = await everyProvider().identify(message as IdentifyMessage)
    expect(result.ok).toBe(false)
    expect(result.results.map((entry) => entry.provider)).toEqual(NAMES)
    for (const [index, name] of NAMES.entries()) {
      const error = expectInvalid(result.results[index], name, path)
      expect(error.issues.find((issue) => issue.path === path)?.message).toMatch(text)
    }
    expect(server.requests).toHaveLength(0)
  })

  it('refuses a message that is not an object without throwing', async () => {
    const client = everyProvider()
    for (const message of [undefined, null, 'usr_1', 42, []]) {
      const result = await client.identify(message as never)
      expect(result.results.every((entry) => entry.status === 'invalid')).toBe(true)
    }
    expect(server.requests).toHaveLength(0)
  })

  it('refuses traits whose prototype was replaced, and never touches Object.prototype', async () => {
    const poisoned = JSON.parse('{"userId":"u","traits":{"a":{"__proto__":{"polluted":true}}},"context":{"constructor":{"prototype":{"polluted":true}}}}')
    const result = await everyProvider().identify(poisoned)
    expect(result.results.every((entry) => entry.status === 'invalid')).toBe(true)
    // eslint-disable-next-line no-proto
    const literal = { userId: 'u', traits: { __proto__: { admin: true } } as Record<string, unknown> }
    expectInvalid((await everyProvider().identify(literal)).results[0], 'datafast', 'traits')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect(server.requests).toHaveLength(0)
  })

  it('copies the message, so changing it after identify() does not change what is sent', async () => {
    const traits: Record<string, unknown> = { plan: 'free', nested: { seats: 1 } }
    const client = everyProvider()
    const pending = client.identify({ userId: 'usr_copy', anonymousId: VISITOR, traits })
    traits.plan = 'changed'
    ;(traits.nested as { seats: number }).seats = 99
    await pending
    const pathboundBody = server.requests.find((request) => request.path === '/v1/identify')?.body
    expect(pathboundBody).toMatchObject({ traits: { plan: 'free', nested: { seats: 1 } } })
  })

  it('sends Dates in traits as ISO strings and drops undefined properties', async () => {
    const client = createClient({ logger: false, providers: [pathbound({ apiKey: keys.pathbound, baseUrl: server.url })] })
    await client.identify({ userId: 'usr_dates', traits: { signedUpAt: new Date('2026-01-02T03:04:05Z'), nickname: undefined } })
    expect(server.requests[0]?.body).toEqual({ external_id: 'usr_dates', traits: { signedUpAt: '2026-01-02T03:04:05.000Z' } })
  })
})
