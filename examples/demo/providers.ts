import type { Provider } from '@idstitch/node'
import { amplitude, datafast, dfend, ga4, mixpanel, monterosa, pathbound, posthog, segment, thrivestack, type ProviderKind } from '@idstitch/node/providers'
import { sandboxOptions } from '@idstitch/sandbox'

type Env = Record<string, string | undefined>

/** For each built-in provider: the real one when its credentials are in `env`, and the sandbox's. */
const CHOICES: Record<ProviderKind, { real: (env: Env) => Provider | undefined; sandbox: (url: string) => Provider }> = {
  datafast: {
    real: (env) => (env.DATAFAST_API_KEY ? datafast({ apiKey: env.DATAFAST_API_KEY, websiteId: env.DATAFAST_WEBSITE_ID }) : undefined),
    sandbox: (url) => datafast(sandboxOptions(url).datafast),
  },
  dfend: {
    real: (env) => (env.DFEND_API_KEY ? dfend({ apiKey: env.DFEND_API_KEY }) : undefined),
    sandbox: (url) => dfend(sandboxOptions(url).dfend),
  },
  thrivestack: {
    real: (env) => (env.THRIVESTACK_API_KEY ? thrivestack({ apiKey: env.THRIVESTACK_API_KEY }) : undefined),
    sandbox: (url) => thrivestack(sandboxOptions(url).thrivestack),
  },
  pathbound: {
    real: (env) => (env.PATHBOUND_API_KEY ? pathbound({ apiKey: env.PATHBOUND_API_KEY }) : undefined),
    sandbox: (url) => pathbound(sandboxOptions(url).pathbound),
  },
  monterosa: {
    real: (env) => (env.MONTEROSA_BASE_URL && env.MONTEROSA_PROJECT_ID ? monterosa({ baseUrl: env.MONTEROSA_BASE_URL, projectId: env.MONTEROSA_PROJECT_ID }) : undefined),
    sandbox: (url) => monterosa(sandboxOptions(url).monterosa),
  },
  segment: {
    real: (env) => (env.SEGMENT_WRITE_KEY ? segment({ writeKey: env.SEGMENT_WRITE_KEY, baseUrl: env.SEGMENT_BASE_URL ?? 'https://api.segment.io' }) : undefined),
    sandbox: (url) => segment(sandboxOptions(url).segment),
  },
  posthog: {
    real: (env) => (env.POSTHOG_API_KEY ? posthog({ apiKey: env.POSTHOG_API_KEY, host: env.POSTHOG_HOST }) : undefined),
    sandbox: (url) => posthog(sandboxOptions(url).posthog),
  },
  ga4: {
    real: (env) => (env.GA4_MEASUREMENT_ID && env.GA4_API_SECRET ? ga4({ measurementId: env.GA4_MEASUREMENT_ID, apiSecret: env.GA4_API_SECRET }) : undefined),
    sandbox: (url) => ga4(sandboxOptions(url).ga4),
  },
  amplitude: {
    real: (env) => (env.AMPLITUDE_API_KEY ? amplitude({ apiKey: env.AMPLITUDE_API_KEY, serverUrl: env.AMPLITUDE_SERVER_URL }) : undefined),
    sandbox: (url) => amplitude(sandboxOptions(url).amplitude),
  },
  mixpanel: {
    real: (env) => (env.MIXPANEL_TOKEN ? mixpanel({ token: env.MIXPANEL_TOKEN, host: env.MIXPANEL_HOST }) : undefined),
    sandbox: (url) => mixpanel(sandboxOptions(url).mixpanel),
  },
}

/**
 * One provider per backend: the real one when its credentials are in the
 * environment, the local sandbox otherwise. Returns which is which, for the log.
 */
export const demoProviders = (sandboxUrl: string, env: Env = process.env): { providers: Provider[]; where: Record<string, 'real' | 'sandbox'> } => {
  const where: Record<string, 'real' | 'sandbox'> = {}
  const providers = Object.entries(CHOICES).map(([kind, choice]) => {
    const real = choice.real(env)
    where[kind] = real ? 'real' : 'sandbox'
    return real ?? choice.sandbox(sandboxUrl)
  })
  return { providers, where }
}
