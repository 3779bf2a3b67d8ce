// identify() to every provider idstitch supports, against local stand-ins that
// enforce each provider's documented rules (no accounts needed). Run: pnpm demo
import { createClient, isValidationError } from '@idstitch/node'
import { datafast, dfend, monterosa, pathbound, segment, thrivestack } from '@idstitch/node/providers'
import {
  datafastRule,
  dfendRule,
  monterosaRule,
  pathboundRule,
  segmentRule,
  startProviderServer,
  thrivestackRule,
} from '@idstitch/sandbox'

const PROJECT = '5d5b0676-ce0f-4058-b2bf-49af49f61cb5'
const sandbox = await startProviderServer([
  datafastRule({ websiteKeys: ['df_demo_key'] }),
  dfendRule({ secretKeys: ['sk_demo_key'] }),
  thrivestackRule({ apiKey: 'ts_demo_key' }),
  pathboundRule({ keys: [{ key: 'pb_demo_key', scopes: ['contacts:write'] }] }),
  monterosaRule({ projectId: PROJECT }),
  segmentRule({ writeKeys: ['wk_demo_key'] }),
])
sandbox.onAccepted = (identify) => console.log(`  sandbox ← ${identify.provider.padEnd(11)} user ${identify.userId}${identify.anonymousId ? ` visitor ${identify.anonymousId}` : ''}`)

const idstitch = createClient({
  providers: [
    datafast({ apiKey: 'df_demo_key', baseUrl: sandbox.url }),
    dfend({ apiKey: 'sk_demo_key', baseUrl: sandbox.url }),
    thrivestack({ apiKey: 'ts_demo_key', baseUrl: sandbox.url }),
    pathbound({ apiKey: 'pb_demo_key', baseUrl: sandbox.url }),
    monterosa({ baseUrl: sandbox.url, projectId: PROJECT }),
    segment({ writeKey: 'wk_demo_key', baseUrl: sandbox.url }),
  ],
  onError: (error, { provider }) => console.log(`  onError: ${provider}: ${error.code}`),
})

const show = (title: string, result: Awaited<ReturnType<typeof idstitch.identify>>) => {
  console.log(`\n${title}: ok=${result.ok}`)
  for (const entry of result.results) {
    const detail = entry.reason ?? (isValidationError(entry.error) ? entry.error.issues.map((issue) => `${issue.path} ${issue.message}`).join('; ') : entry.error?.message ?? JSON.stringify(entry.data))
    console.log(`  ${entry.provider.padEnd(11)} ${entry.status.padEnd(9)} ${detail}`)
  }
}

console.log(`Provider sandbox on ${sandbox.url}`)
// What a login route does after the password check:
show(
  'A visitor logs in',
  await idstitch.identify({
    userId: 'usr_8f3a2c9e',
    anonymousId: 'a3ab2331-989f-4cfa-91c6-2461c9e3c6bd', // getVisitorId(req) in a real route
    traits: { email: 'ada@example.com', phone: '+14155550123', plan: 'pro' },
  }),
)
show('Without a visitor id (DataFast skips)', await idstitch.identify({ userId: 'usr_5d1e0b7a', traits: { plan: 'free' } }))
show(
  'Input some providers refuse (refused before sending, others still delivered)',
  await idstitch.identify({ userId: 'usr_5d1e0b7a', anonymousId: '0b7e1f0c-52a4-4c55-8f3e-9d3f5a1e2b10', traits: { user_id: 'admin', phone: '555-0123' } }),
)
show('A tampered visitor cookie (refused for every provider)', await idstitch.identify({ userId: 'usr_5d1e0b7a', anonymousId: 'a3ab2331; admin=1' }))

await idstitch.shutdown()
await sandbox.close()
