// Wire snapshots: the exact request every adapter builds for a set of
// messages, secrets redacted. A changed payload shows in review as a changed
// snapshot (__snapshots__/wire.test.ts.snap).
import { describe, expect, it } from 'vitest'
import type { IdentifyEvent } from '../message.js'
import type { Provider } from '../provider.js'
import { BUILT_IN_PROVIDERS, http, type ProviderKind } from './index.js'

const VISITOR = 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd'

/** Every built-in adapter (plus http()), configured as an app would, with stand-in credentials. */
const ADAPTERS: Record<ProviderKind | 'http' | 'monterosa-token' | 'datafast-account', () => Provider> = {
  datafast: () => BUILT_IN_PROVIDERS.datafast({ apiKey: 'df_wire_key' }),
  'datafast-account': () => BUILT_IN_PROVIDERS.datafast({ apiKey: 'dft_wire_token', websiteId: '665f0b3c' }),
  dfend: () => BUILT_IN_PROVIDERS.dfend({ apiKey: 'sk_wire_key' }),
  thrivestack: () => BUILT_IN_PROVIDERS.thrivestack({ apiKey: 'ts_wire_key' }),
  pathbound: () => BUILT_IN_PROVIDERS.pathbound({ apiKey: 'pb_wire_key' }),
  monterosa: () => BUILT_IN_PROVIDERS.monterosa({ baseUrl: 'https://identify.example.test', projectId: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5' }),
  'monterosa-token': () =>
    BUILT_IN_PROVIDERS.monterosa({ baseUrl: 'https://identify.example.test', projectId: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5', provider: 'awsCognito', token: () => 'user-token-wire' }),
  segment: () => BUILT_IN_PROVIDERS.segment({ writeKey: 'wk_wire_key', baseUrl: 'https://api.segment.io' }),
  posthog: () => BUILT_IN_PROVIDERS.posthog({ apiKey: 'phc_wire_key', host: 'https://eu.i.posthog.com' }),
  ga4: () => BUILT_IN_PROVIDERS.ga4({ measurementId: 'G-WIRE123', apiSecret: 'ga_wire_key' }),
  amplitude: () => BUILT_IN_PROVIDERS.amplitude({ apiKey: 'amp_wire_key', serverUrl: 'https://api.eu.amplitude.com/2/httpapi' }),
  mixpanel: () => BUILT_IN_PROVIDERS.mixpanel({ token: 'mpwiretoken0123', host: 'https://api-eu.mixpanel.com' }),
  http: () => http({ url: 'https://crm.example.test/identify', headers: { authorization: 'Bearer crm_wire_token' }, body: (event) => ({ id: event.userId, visitor: event.anonymousId, ...event.traits }) }),
}

const event = (fields: Partial<IdentifyEvent>): IdentifyEvent => ({
  messageId: '00000000-0000-4000-8000-000000000001',
  userId: 'usr_8f3a2c9e',
  traits: {},
  context: {},
  timestamp: '2026-01-31T12:00:00.000Z',
  library: { name: '@idstitch/node', version: '0.0.0-wire' },
  ...fields,
})

const MESSAGES: Record<string, IdentifyEvent> = {
  'user and visitor': event({ anonymousId: VISITOR, anonymousIds: { ga4: '1234567890.1700000000' } }),
  'user only': event({}),
  'with traits and context': event({
    anonymousId: VISITOR,
    anonymousIds: { ga4: '1234567890.1700000000' },
    traits: { email: 'ada@example.com', name: 'Ada', phone: '+14155550123', plan: 'team' },
    context: { source: 'product', userAgent: 'wire/1.0' },
  }),
}

/** The request as a reviewer reads it: secrets redacted, pre-serialised JSON as the value it stands for. */
const wire = (provider: Provider, message: IdentifyEvent) => {
  const prepared = provider.prepare(message)
  if (prepared.type !== 'item') return prepared
  const request = provider.request([prepared.item])
  return JSON.parse(provider.redact(JSON.stringify(request))) as unknown
}

describe.each(Object.entries(ADAPTERS))('the %s adapter on the wire', (_name, create) => {
  it.each(Object.entries(MESSAGES))('%s', (_message, message) => {
    expect(wire(create(), message)).toMatchSnapshot()
  })

  it('shows no secret', () => {
    for (const message of Object.values(MESSAGES)) expect(JSON.stringify(wire(create(), message))).not.toMatch(/wire_key|wire_token|token-wire/)
  })
})
