import type { Provider } from '@idstitch/node'
import { datafast, dfend, monterosa, pathbound, segment, thrivestack } from '@idstitch/node/providers'
import { SANDBOX_CREDENTIALS } from '@idstitch/sandbox'

type Env = Record<string, string | undefined>

/**
 * One provider per backend: the real one when its credentials are in the
 * environment, the local sandbox otherwise. Returns which is which, for the log.
 */
export const demoProviders = (sandboxUrl: string, env: Env = process.env): { providers: Provider<any>[]; where: Record<string, 'real' | 'sandbox'> } => {
  const where: Record<string, 'real' | 'sandbox'> = {}
  const pick = (name: string, real: (() => Provider<any>) | undefined, local: () => Provider<any>): Provider<any> => {
    where[name] = real ? 'real' : 'sandbox'
    return real ? real() : local()
  }
  const s = SANDBOX_CREDENTIALS
  const providers = [
    pick('datafast', env.DATAFAST_API_KEY ? () => datafast({ apiKey: env.DATAFAST_API_KEY!, websiteId: env.DATAFAST_WEBSITE_ID }) : undefined, () => datafast({ apiKey: s.datafast, baseUrl: sandboxUrl })),
    pick('dfend', env.DFEND_API_KEY ? () => dfend({ apiKey: env.DFEND_API_KEY! }) : undefined, () => dfend({ apiKey: s.dfend, baseUrl: sandboxUrl })),
    pick('thrivestack', env.THRIVESTACK_API_KEY ? () => thrivestack({ apiKey: env.THRIVESTACK_API_KEY! }) : undefined, () => thrivestack({ apiKey: s.thrivestack, baseUrl: sandboxUrl })),
    pick('pathbound', env.PATHBOUND_API_KEY ? () => pathbound({ apiKey: env.PATHBOUND_API_KEY! }) : undefined, () => pathbound({ apiKey: s.pathbound, baseUrl: sandboxUrl })),
    pick(
      'monterosa',
      env.MONTEROSA_BASE_URL && env.MONTEROSA_PROJECT_ID ? () => monterosa({ baseUrl: env.MONTEROSA_BASE_URL!, projectId: env.MONTEROSA_PROJECT_ID! }) : undefined,
      () => monterosa({ baseUrl: sandboxUrl, projectId: s.monterosaProjectId }),
    ),
    pick(
      'segment',
      env.SEGMENT_WRITE_KEY ? () => segment({ writeKey: env.SEGMENT_WRITE_KEY!, baseUrl: env.SEGMENT_BASE_URL ?? 'https://api.segment.io' }) : undefined,
      () => segment({ writeKey: s.segment, baseUrl: sandboxUrl }),
    ),
  ]
  return { providers, where }
}
