// Every built-in adapter refuses an option it does not take: a name from another SDK or a misspelling
// would otherwise be ignored, and identifies go to the default host (Amplitude's US servers for an app
// that meant its EU ones).
import { describe, expect, it } from 'vitest'
import { BUILT_IN_PROVIDERS, http } from './index.js'

const PROJECT = '5d5b0676-ce0f-4058-b2bf-49af49f61cb5'

/** Each adapter with its options right, and one option spelled as another SDK or a slip of the keyboard spells it. */
const MISSPELLED: [string, () => unknown, string][] = [
  ['amplitude', () => BUILT_IN_PROVIDERS.amplitude({ apiKey: 'amp_key', serverZone: 'EU' } as never), 'serverZone'],
  ['mixpanel', () => BUILT_IN_PROVIDERS.mixpanel({ token: 'mptoken0123', api_host: 'https://api-eu.mixpanel.com' } as never), 'api_host'],
  ['posthog', () => BUILT_IN_PROVIDERS.posthog({ apiKey: 'phc_key', api_host: 'https://eu.i.posthog.com' } as never), 'api_host'],
  ['segment', () => BUILT_IN_PROVIDERS.segment({ writeKey: 'wk_key', baseUrl: 'https://api.segment.io', host: 'https://events.eu1.segmentapis.com' } as never), 'host'],
  ['pathbound', () => BUILT_IN_PROVIDERS.pathbound({ apiKey: 'pb_key', baseURL: 'https://pathbound.internal.test' } as never), 'baseURL'],
  ['ga4', () => BUILT_IN_PROVIDERS.ga4({ measurementId: 'G-ABC123', apiSecret: 'ga_key', api_secret: 'ga_key' } as never), 'api_secret'],
  ['datafast', () => BUILT_IN_PROVIDERS.datafast({ apiKey: 'df_key', websiteID: '665f0b3c' } as never), 'websiteID'],
  ['dfend', () => BUILT_IN_PROVIDERS.dfend({ apiKey: 'sk_key', baseURL: 'https://dfend.internal.test' } as never), 'baseURL'],
  ['thrivestack', () => BUILT_IN_PROVIDERS.thrivestack({ apiKey: 'ts_key', baseURL: 'https://thrivestack.internal.test' } as never), 'baseURL'],
  ['monterosa', () => BUILT_IN_PROVIDERS.monterosa({ baseUrl: 'https://identify.example.test', projectId: PROJECT, projectID: PROJECT } as never), 'projectID'],
  ['http', () => http({ url: 'https://crm.example.test/identify', body: () => ({}), header: { authorization: 'Bearer t' } } as never), 'header'],
]

describe('the built-in adapters, given an option they do not take', () => {
  it.each(MISSPELLED)('%s refuses it with a ConfigError naming it', (provider, make, option) => {
    expect(make).toThrowError(expect.objectContaining({ name: 'ConfigError', provider, option, message: expect.stringMatching(/is not one of \w|did you mean `\w+`\?$/) }))
  })
})
