import { createClient, getAnonymousIds, isConfigError } from '@idstitch/node'
import { mixpanel } from '@idstitch/node/providers'
import { mixpanelRules } from '@idstitch/sandbox'
import { describe, expect, it } from 'vitest'
import { expectInvalid, fast, raw, startStandIn, useStandIn, VISITOR } from './helpers.js'

const TOKEN = '3f1c9a7e5b2d4c6e8f0a1b2c3d4e5f60' // Mixpanel project tokens are 32 hex digits
const DEVICE = '19a4c2e1-3b5d-4f7a-9c1e-2d4f6a8b0c1e'
/** mixpanel-browser's cookie: mp_<token>_mixpanel, %-encoded JSON; before identify() the distinct id is `$device:<device id>`. */
const cookie = `idstitch_visitor_id=${VISITOR}; mp_${TOKEN}_mixpanel=${encodeURIComponent(JSON.stringify({ distinct_id: `$device:${DEVICE}`, $device_id: DEVICE, $initial_referrer: '$direct' }))}`
const server = useStandIn(...mixpanelRules({ tokens: [TOKEN] }))

const client = (token = TOKEN, options = {}) => createClient({ ...fast, ...options, providers: [mixpanel({ token, host: server.url })] })
const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:`).toString('base64')}` })
const now = Date.now()
const merge = (properties: Record<string, unknown> = {}) => ({ event: '$identify', properties: { time: now, distinct_id: 'usr_1', $insert_id: 'a-1', $user_id: 'usr_1', $device_id: DEVICE, ...properties } })

describe('mixpanel: the local server enforces the documented rules', () => {
  it.each([
    ['no credentials', {}, [merge()], 401],
    ['a wrong token', basic('nope'), [merge()], 401],
    ['an event without a time', basic(TOKEN), [merge({ time: undefined })], 400],
    ['an event two hours ahead', basic(TOKEN), [merge({ time: now + 2 * 3_600_000 })], 400],
    ['a placeholder distinct id', basic(TOKEN), [merge({ distinct_id: 'undefined' })], 400],
    ['an insert id over 36 characters', basic(TOKEN), [merge({ $insert_id: 'x'.repeat(37) })], 400],
    ['2,001 events', basic(TOKEN), Array.from({ length: 2001 }, () => merge()), 400],
  ])('/import refuses %s', async (_, headers, body, status) => {
    expect((await raw(server, '/import?strict=1', { headers, body })).status).toBe(status)
  })

  it('/import names each refused event and imports the others; /engage answers 200 and says in its body', async () => {
    const partial = await raw(server, '/import?strict=1', { headers: basic(TOKEN), body: [merge(), merge({ $insert_id: 'bad id!' })] })
    expect(partial).toMatchObject({ status: 400, body: { num_records_imported: 1, failed_records: [{ index: 1, field: 'properties.$insert_id' }] } })
    expect((await raw(server, '/engage?verbose=1', { body: [{ $token: 'nope', $distinct_id: 'usr_1', $set: {} }] })).body).toEqual({ status: 0, error: 'Invalid token' })
    expect((await raw(server, '/engage?verbose=1', { body: [{ $token: TOKEN, $set: {} }] })).body).toMatchObject({ status: 0 })
    expect((await raw(server, '/engage?verbose=1', { body: [{ $token: TOKEN, $distinct_id: 'usr_1', $set: { plan: 'pro' } }] })).body).toEqual({ status: 1, error: null })
  })
})

describe('mixpanel: identify', () => {
  it("imports a $identify with mixpanel-browser's own device id (read from its cookie), then sets the traits on the profile", async () => {
    const result = await client().identify({ userId: 'usr_mp_1', anonymousId: VISITOR, anonymousIds: getAnonymousIds(cookie), traits: { email: 'ada@example.com', plan: 'pro' } })
    expect(result.results[0]).toMatchObject({ provider: 'mixpanel', status: 'delivered', attempts: 2, data: [{ code: 200, num_records_imported: 1 }, { status: 1 }] })
    expect(server.requests.map((request) => request.path)).toEqual(['/import', '/engage'])
    expect(server.accepted).toEqual([
      { provider: 'mixpanel', location: 'none', userId: 'usr_mp_1', anonymousId: DEVICE, traits: {}, at: expect.any(String) },
      // Mixpanel's reserved profile properties under their $ names.
      { provider: 'mixpanel', location: 'none', userId: 'usr_mp_1', traits: { $email: 'ada@example.com', plan: 'pro' }, at: expect.any(String) },
    ])
    // The token authenticates the import as Basic auth and names the project of each profile update; no other credential exists.
    expect(server.requests[0]?.headers.authorization).toBe(basic(TOKEN).authorization)
    expect(server.requests[1]?.headers.authorization).toBeUndefined()
    expect(server.requests[1]?.body).toEqual([expect.objectContaining({ $ip: '0' })])
  })

  it('falls back to the visitor id, sends no profile update without traits, and batches identifies in flight together', async () => {
    const idstitch = client()
    const results = await Promise.all(['usr_mp_a', 'usr_mp_b', 'usr_mp_c'].map((userId) => idstitch.identify({ userId, anonymousId: VISITOR })))
    expect(results.map((result) => result.results[0]?.status)).toEqual(['delivered', 'delivered', 'delivered'])
    expect(server.requests.map((request) => [request.path, (request.body as unknown[]).length])).toEqual([['/import', 3]])
    expect(server.accepted.map((identify) => [identify.userId, identify.anonymousId])).toEqual([['usr_mp_a', VISITOR], ['usr_mp_b', VISITOR], ['usr_mp_c', VISITOR]])
  })

  it('fails on its own an identify that /import refuses in a batch, and takes the imported ones on to their profile update', async () => {
    const idstitch = client()
    const ahead = new Date(Date.now() + 2 * 3_600_000)
    const results = await Promise.all([
      idstitch.identify({ userId: 'usr_mp_ok1', anonymousId: VISITOR, traits: { plan: 'pro' } }),
      // Two hours ahead: Mixpanel's strict import refuses this event alone and imports the others.
      idstitch.identify({ userId: 'usr_mp_late', anonymousId: VISITOR, traits: { plan: 'pro' }, timestamp: ahead }),
      idstitch.identify({ userId: 'usr_mp_ok2', anonymousId: VISITOR, traits: { plan: 'team' } }),
    ])
    expect(results.map((result) => result.results[0]?.status)).toEqual(['delivered', 'failed', 'delivered'])
    expect(results[1]?.results[0]?.error).toMatchObject({ name: 'HttpError', code: 'provider_rejected', status: 400, message: expect.stringContaining("'properties.time' is invalid") })
    expect(server.requests.map((request) => [request.path, (request.body as unknown[]).length])).toEqual([['/import', 3], ['/engage', 2]])
    expect(server.accepted.map((identify) => identify.userId)).toEqual(['usr_mp_ok1', 'usr_mp_ok2', 'usr_mp_ok1', 'usr_mp_ok2'])
    expect(results[0]?.results[0]).toMatchObject({ attempts: 2, data: [expect.objectContaining({ num_records_imported: 2 }), { status: 1 }] })
  })

  it("places the user by context.ip, on the event and the profile, and never by the server's own address without one", async () => {
    const idstitch = client()
    await idstitch.identify({ userId: 'usr_mp_ip', anonymousId: VISITOR, traits: { plan: 'pro' }, context: { ip: '203.0.113.7' } })
    await idstitch.identify({ userId: 'usr_mp_noip', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(server.accepted.map((identify) => [identify.userId, identify.location])).toEqual([
      ['usr_mp_ip', '203.0.113.7'],
      ['usr_mp_ip', '203.0.113.7'],
      ['usr_mp_noip', 'none'],
      ['usr_mp_noip', 'none'],
    ])
    expectInvalid((await idstitch.identify({ userId: 'usr_mp_badip', context: { ip: 'my laptop' } })).results[0], 'mixpanel', 'context.ip')
  })

  it('retries only the profile update when it fails: the merge is never sent twice', async () => {
    server.faults.push({ delayMs: 0 }, { status: 503, body: { error: 'unavailable' } })
    const result = await client().identify({ userId: 'usr_mp_r', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 3 })
    expect(server.requests.map((request) => request.path)).toEqual(['/import', '/engage', '/engage'])
  })

  it('fails the identify when the profile update is refused, saying so, and it is not taken as delivered', async () => {
    server.faults.push({ delayMs: 0 }, { status: 200, body: { status: 0, error: 'property value too long' } })
    const result = await client().identify({ userId: 'usr_mp_p', anonymousId: VISITOR, traits: { plan: 'pro' } })
    expect(result.results[0]).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'provider_rejected' } })
    expect(result.results[0]?.error?.message).toContain('profile update refused: property value too long')
  })

  it('refuses ids Mixpanel refuses, names the field, and keeps the token out of results and dry runs', async () => {
    expectInvalid((await client().identify({ userId: 'null' })).results[0], 'mixpanel', 'userId')
    expectInvalid((await client().identify({ userId: 'usr_mp_x', anonymousIds: { mixpanel: 'anonymous' } })).results[0], 'mixpanel', 'anonymousIds.mixpanel')
    const refused = await client('ffffeeeeddddccccbbbbaaaa99998888').identify({ userId: 'usr_mp_x' })
    expect(refused.results[0]).toMatchObject({ status: 'failed', httpStatus: 401 })
    expect(JSON.stringify(refused)).not.toContain('ffffeeeeddddccccbbbbaaaa99998888')
    const dry = await client(TOKEN, { dryRun: true }).identify({ userId: 'usr_mp_d', traits: { plan: 'pro' } })
    expect(dry.results[0]).toMatchObject({ status: 'skipped', request: { url: `${server.url}/import?strict=1&ip=0`, next: { url: `${server.url}/engage?verbose=1&ip=0` } } })
    expect(JSON.stringify(dry)).not.toContain(TOKEN)
    expect(JSON.stringify(dry)).not.toContain(Buffer.from(`${TOKEN}:`).toString('base64'))
    expect(server.requests).toHaveLength(1)
  })

  it('takes only a project token', () => {
    expect(() => mixpanel({ token: '' })).toThrowError(expect.objectContaining({ provider: 'mixpanel', option: 'token' }))
    const secret = (() => {
      try {
        mixpanel({ token: 'svc-account.user:secret' })
      } catch (error) {
        return error
      }
    })()
    expect(isConfigError(secret) && secret.option).toBe('token')
  })
})

describe("mixpanel: Original ID Merge (idMerge: 'original')", () => {
  const original = async () => {
    const stand = await startStandIn(...mixpanelRules({ tokens: [TOKEN], idMerge: 'original' }))
    return { stand, idstitch: createClient({ ...fast, providers: [mixpanel({ token: TOKEN, host: stand.url, idMerge: 'original' })] }) }
  }

  it("merges the visitor with the documented $identify to /track ($identified_id, $anon_id, the token), then sets the traits", async () => {
    const { stand, idstitch } = await original()
    const result = await idstitch.identify({ userId: 'usr_mp_o1', anonymousId: VISITOR, anonymousIds: getAnonymousIds(cookie), traits: { plan: 'pro' } })
    expect(result.results[0]).toMatchObject({ status: 'delivered', attempts: 2 })
    expect(stand.requests.map((request) => request.path)).toEqual(['/track', '/engage'])
    expect(stand.requests[0]?.body).toEqual([expect.objectContaining({ event: '$identify', properties: expect.objectContaining({ $identified_id: 'usr_mp_o1', $anon_id: DEVICE, token: TOKEN }) })])
    expect(stand.accepted.map((identify) => [identify.userId, identify.anonymousId])).toEqual([['usr_mp_o1', DEVICE], ['usr_mp_o1', undefined]])
  })

  it('sends the traits alone without an anonymous id to merge, and skips an identify with neither', async () => {
    const { stand, idstitch } = await original()
    const [traitsOnly, nothing] = await Promise.all([idstitch.identify({ userId: 'usr_mp_o2', traits: { plan: 'team' } }), idstitch.identify({ userId: 'usr_mp_o3' })])
    expect(traitsOnly.results[0]).toMatchObject({ status: 'delivered', attempts: 1 })
    expect(nothing.results[0]).toMatchObject({ status: 'skipped', reason: expect.stringContaining('Original ID Merge') })
    expect(stand.requests.map((request) => request.path)).toEqual(['/engage'])
  })

  it('is what stitches an Original project: the Simplified event reaches it and merges nothing, which is why the option exists', async () => {
    const stand = await startStandIn(...mixpanelRules({ tokens: [TOKEN], idMerge: 'original' }))
    const simplified = createClient({ ...fast, providers: [mixpanel({ token: TOKEN, host: stand.url })] })
    expect((await simplified.identify({ userId: 'usr_mp_o4', anonymousId: VISITOR })).results[0]?.status).toBe('delivered')
    expect(stand.accepted).toEqual([])
  })

  it('maps a partial refusal of a batch whose events are some of its identifies back to the right identify', async () => {
    const { stand, idstitch } = await original()
    const ahead = new Date(Date.now() + 2 * 3_600_000)
    const results = await Promise.all([
      idstitch.identify({ userId: 'usr_mp_o5', traits: { plan: 'pro' } }),
      idstitch.identify({ userId: 'usr_mp_o6', anonymousId: VISITOR, traits: { plan: 'pro' } }),
      idstitch.identify({ userId: 'placeholder-free', anonymousIds: { mixpanel: 'anonymous-device-xyz' }, traits: { plan: 'pro' }, timestamp: ahead }),
    ])
    // The /track body holds the second and third identifies' events: its refusal of index 1 is the third identify's.
    expect(results.map((result) => result.results[0]?.status)).toEqual(['delivered', 'delivered', 'failed'])
    expect(results[2]?.results[0]?.error?.message).toContain("'properties.time' is invalid")
    expect(stand.requests.map((request) => [request.path, (request.body as unknown[]).length])).toEqual([['/track', 2], ['/engage', 2]])
    expect((stand.requests[1]?.body as { $distinct_id: string }[] | undefined)?.map((update) => update.$distinct_id)).toEqual(['usr_mp_o5', 'usr_mp_o6'])
  })

  it('refuses, before sending, a merge older than the 5 days /track takes', async () => {
    const { stand, idstitch } = await original()
    const old = await idstitch.identify({ userId: 'usr_mp_o7', anonymousId: VISITOR, timestamp: new Date(Date.now() - 6 * 24 * 3_600_000) })
    expectInvalid(old.results[0], 'mixpanel', 'timestamp')
    expect(stand.requests).toEqual([])
  })

  it("refuses an idMerge that is neither, naming the option", () => {
    expect(() => mixpanel({ token: TOKEN, idMerge: 'newest' as never })).toThrow(expect.objectContaining({ option: 'idMerge' }))
  })
})
