import { demoProviders } from '@idstitch/demo/providers'
import { BUILT_IN_PROVIDERS } from '@idstitch/node/providers'
import { describe, expect, it } from 'vitest'

describe('the demo\'s providers', () => {
  it('use the sandbox for every provider without credentials in the environment', () => {
    const { providers, where } = demoProviders('http://127.0.0.1:1', {})
    expect(providers.map((provider) => provider.name)).toEqual(Object.keys(BUILT_IN_PROVIDERS))
    expect(Object.values(where).every((place) => place === 'sandbox')).toBe(true)
  })

  it('use the real provider for each one whose credentials are set', async () => {
    const { providers, where } = demoProviders('http://127.0.0.1:1', { PATHBOUND_API_KEY: 'pb_real_key', SEGMENT_WRITE_KEY: 'wk_real', MONTEROSA_BASE_URL: 'https://identify.example.test', MONTEROSA_PROJECT_ID: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5' })
    expect(where).toEqual({ datafast: 'sandbox', dfend: 'sandbox', thrivestack: 'sandbox', pathbound: 'real', monterosa: 'real', segment: 'real', posthog: 'sandbox', ga4: 'sandbox', amplitude: 'sandbox', mixpanel: 'sandbox' })
    const pathbound = providers.find((provider) => provider.name === 'pathbound')!
    const prepared = pathbound.prepare({ messageId: 'm', userId: 'u', traits: {}, context: {}, timestamp: new Date(0).toISOString(), library: { name: 'test', version: '0' } })
    expect(prepared.type === 'item' && pathbound.request([prepared.item]).url).toBe('https://api.pathbound.ai/v1/identify')
  })
})
