import { createClient, createIdentifyHandler } from '@idstitch/node'
import { demoProviders } from '@idstitch/demo/providers'
import { describe, expect, it } from 'vitest'
import { useSandbox, VISITOR } from './helpers.js'

// traitsOnce (#23, item 6): first-touch traits, set only while the profile has none of that name, as each
// provider that can do it documents it: PostHog `$set_once`, Mixpanel `$set_once` (through /engage), Amplitude `$setOnce`.
const server = useSandbox()
const FIRST_TOUCH = { initial_referrer: 'https://news.example.test/', first_utm_source: 'newsletter' }

describe('traitsOnce', () => {
  it('reaches PostHog, Mixpanel and Amplitude as their set-once, and the others leave it out with a debug line', async () => {
    const debug: string[] = []
    const idstitch = createClient({ logger: { debug: (line) => debug.push(line) }, providers: demoProviders(server.url, {}).providers })
    const result = await idstitch.identify({ userId: 'usr_once_1', anonymousId: VISITOR, traits: { plan: 'pro' }, traitsOnce: FIRST_TOUCH })
    const status = Object.fromEntries(result.results.map((entry) => [entry.provider, entry.status]))
    expect([status.posthog, status.mixpanel, status.amplitude]).toEqual(['delivered', 'delivered', 'delivered'])
    const once = (provider: string) => server.accepted.filter((identify) => identify.provider === provider && identify.traitsOnce).map((identify) => identify.traitsOnce)
    expect(once('posthog')).toEqual([FIRST_TOUCH])
    expect(once('mixpanel')).toEqual([FIRST_TOUCH])
    expect(once('amplitude')).toEqual([FIRST_TOUCH])
    // No set-once anywhere else: not mixed into the traits either.
    expect(server.accepted.filter((identify) => !['posthog', 'mixpanel', 'amplitude'].includes(identify.provider) && ('traitsOnce' in identify || 'initial_referrer' in identify.traits))).toEqual([])
    const leftOut = debug.filter((line) => line.includes('traitsOnce left out')).map((line) => line.replace('[idstitch] ', '').split(':')[0])
    expect(leftOut).toEqual(expect.arrayContaining(['pathbound', 'segment', 'dfend']))
    expect(leftOut.filter((provider) => ['posthog', 'mixpanel', 'amplitude'].includes(provider as string))).toEqual([])
  })

  it('is checked as traits are: JSON only, and from the relay, no identity trait the server did not vouch for', async () => {
    const idstitch = createClient({ logger: false, providers: demoProviders(server.url, {}).providers })
    const invalid = await idstitch.identify({ userId: 'usr_once_2', traitsOnce: { first_seen: 10n } as never })
    expect(invalid.results.every((entry) => entry.status === 'invalid')).toBe(true)
    expect(invalid.results[0]?.error).toMatchObject({ issues: [expect.objectContaining({ path: 'traitsOnce.first_seen' })] })

    const relay = createIdentifyHandler({ client: idstitch, authenticate: () => 'usr_once_3', throttle: false })
    const post = (body: unknown) => relay(new Request('http://app.example.test/api/identify', { method: 'POST', headers: { origin: 'http://app.example.test', 'content-type': 'application/json' }, body: JSON.stringify(body) }))
    const forbidden = await post({ anonymousId: VISITOR, traitsOnce: { email: 'someone@example.com' } })
    expect(forbidden.status).toBe(400)
    expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden_trait' } })
    const accepted = await post({ anonymousId: VISITOR, traitsOnce: { first_utm_source: 'ads' } })
    expect(accepted.status).toBe(200)
    expect(server.accepted.filter((identify) => identify.userId === 'usr_once_3' && identify.traitsOnce).map((identify) => identify.provider).sort()).toEqual(['amplitude', 'mixpanel', 'posthog'])
  })
})
