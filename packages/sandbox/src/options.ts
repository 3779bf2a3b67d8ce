/** The credentials the sandbox accepts, one per provider. */
export const SANDBOX_CREDENTIALS = {
  datafast: 'df_sandbox_key',
  dfend: 'sk_sandbox_key',
  thrivestack: 'ts_sandbox_key',
  pathbound: 'pb_sandbox_key',
  segment: 'wk_sandbox_key',
  posthog: 'phc_sandbox_key',
  ga4MeasurementId: 'G-SANDBOX1',
  ga4: 'ga_sandbox_secret',
  amplitude: '5a1db0c3e1f2a4b6c8d0e2f4a6b8c0d2', // 32 hex digits, as Amplitude's keys are
  mixpanel: '7e3f0c9a1b2d4e6f8a0b1c2d3e4f5a6b', // 32 hex digits, as Mixpanel's project tokens are
  monterosaProjectId: '5d5b0676-ce0f-4058-b2bf-49af49f61cb5',
} as const

/**
 * Each provider's options (for `@idstitch/node/providers`) pointed at a sandbox at `url`, with
 * {@link SANDBOX_CREDENTIALS}: `pathbound(sandboxOptions(sandbox.url).pathbound)`.
 */
export const sandboxOptions = (url: string) => {
  const keys = SANDBOX_CREDENTIALS
  return {
    datafast: { apiKey: keys.datafast, baseUrl: url },
    dfend: { apiKey: keys.dfend, baseUrl: url },
    thrivestack: { apiKey: keys.thrivestack, baseUrl: url },
    pathbound: { apiKey: keys.pathbound, baseUrl: url },
    monterosa: { projectId: keys.monterosaProjectId, baseUrl: url },
    segment: { writeKey: keys.segment, baseUrl: url },
    posthog: { apiKey: keys.posthog, host: url },
    ga4: { measurementId: keys.ga4MeasurementId, apiSecret: keys.ga4, baseUrl: url },
    amplitude: { apiKey: keys.amplitude, serverUrl: `${url}/2/httpapi` },
    mixpanel: { token: keys.mixpanel, host: url },
  }
}
