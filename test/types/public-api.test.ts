// Type tests of the public API, against the built declaration files (the
// packages resolve to their dist/). `tsc` checks every assertion when the test
// package is type-checked; vitest runs the file so that it is not forgotten.
import type { HttpError, IdstitchError, IdentifyMessage, IdentifyResult, Logger, ProviderResult, ValidationError } from '@idstitch/node'
import { createClient, createIdentifyHandler, getAnonymousIds, getVisitorId, isHttpError, isValidationError, loginCookies } from '@idstitch/node'
import { datafast, defineProvider, pathbound, segment, type PathboundOptions, type Provider, type ProviderKind } from '@idstitch/node/providers'
import { createTracker, identify, type IdentifyOutcome, type TrackerOptions } from '@idstitch/tracker'
import { describe, expectTypeOf, it } from 'vitest'

describe('the public types', () => {
  it('identify() resolves to typed results and never rejects with a typed error', () => {
    const client = createClient({ providers: [datafast({ apiKey: 'df_x' })] })
    expectTypeOf(client.identify).parameter(0).toEqualTypeOf<IdentifyMessage>()
    expectTypeOf(client.identify).returns.resolves.toEqualTypeOf<IdentifyResult>()
    expectTypeOf<ProviderResult['status']>().toEqualTypeOf<'delivered' | 'queued' | 'skipped' | 'invalid' | 'failed'>()
    expectTypeOf<ProviderResult['error']>().toEqualTypeOf<IdstitchError | undefined>()
  })

  it('error guards narrow to the error classes', () => {
    const error: unknown = undefined
    if (isHttpError(error)) {
      expectTypeOf(error).toEqualTypeOf<HttpError>()
      expectTypeOf(error.status).toBeNumber()
      expectTypeOf(error.provider).toBeString()
    }
    if (isValidationError(error)) {
      expectTypeOf(error).toEqualTypeOf<ValidationError>()
      expectTypeOf(error.issues[0]!.path).toBeString()
      expectTypeOf(error.issues[0]!.provider).toEqualTypeOf<string | undefined>()
    }
    expectTypeOf<IdstitchError['code']>().toExtend<string>()
    expectTypeOf<'client_rate_limited'>().toExtend<IdstitchError['code']>()
  })

  it('provider factories take their documented options and return providers', () => {
    expectTypeOf(pathbound).parameter(0).toExtend<PathboundOptions>()
    expectTypeOf(pathbound({ apiKey: 'k' })).toExtend<Provider>()
    expectTypeOf(segment).parameter(0).toHaveProperty('writeKey').toBeString()
    // @ts-expect-error writeKey is required (never called: it would throw a ConfigError)
    const missingKey = () => segment({ baseUrl: 'https://api.segment.io' })
    expectTypeOf(missingKey).toBeFunction()
    expectTypeOf<ProviderKind>().toEqualTypeOf<'datafast' | 'dfend' | 'thrivestack' | 'pathbound' | 'monterosa' | 'segment' | 'posthog' | 'ga4' | 'amplitude' | 'mixpanel'>()
    const acme = defineProvider<{ token: string }, { id: string }>({
      name: 'acme',
      configure: (options) => options,
      prepare: (event) => ({ type: 'item', item: { id: event.userId } }),
      request: ([item]) => ({ method: 'POST', url: 'https://acme.test', headers: {}, body: item }),
    })
    expectTypeOf(acme({ token: 't' })).toEqualTypeOf<Provider<{ id: string }>>()
  })

  it('the cookie helpers and the relay take requests and answer Web responses', () => {
    expectTypeOf(getVisitorId).returns.toEqualTypeOf<string | undefined>()
    expectTypeOf(getAnonymousIds).returns.toEqualTypeOf<Record<string, string>>()
    expectTypeOf(loginCookies('', 'usr_1').anonymousIds).toMatchTypeOf<IdentifyMessage['anonymousIds']>()
    expectTypeOf(loginCookies('', 'usr_1').setCookie).toEqualTypeOf<string[]>()
    expectTypeOf(createIdentifyHandler).returns.toEqualTypeOf<(request: Request) => Promise<Response>>()
    expectTypeOf<Logger>().toHaveProperty('warn')
  })

  it("the tracker's options and outcomes", () => {
    expectTypeOf<TrackerOptions['preset']>().toEqualTypeOf<'idstitch' | 'pathbound' | 'datafast' | undefined>()
    expectTypeOf<TrackerOptions['consent']>().toEqualTypeOf<'required' | 'granted' | undefined>()
    expectTypeOf(identify).returns.resolves.toEqualTypeOf<IdentifyOutcome>()
    expectTypeOf(createTracker).returns.toHaveProperty('reset')
  })
})
