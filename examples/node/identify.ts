// identify() to every provider idstitch supports, against local stand-ins that
// enforce each provider's documented rules (no accounts needed). Run: pnpm demo
import { createClient, isValidationError } from '@idstitch/node'
import { datafast, dfend, monterosa, pathbound, segment, thrivestack } from '@idstitch/node/providers'
import { SANDBOX_CREDENTIALS as keys, startSandbox } from '@idstitch/sandbox'

const sandbox = await startSandbox()
sandbox.onAccepted = (identify) => console.log(`  sandbox ← ${identify.provider.padEnd(11)} user ${identify.userId}${identify.anonymousId ? ` visitor ${identify.anonymousId}` : ''}`)
// DataFast only links visitors it has seen a pageview from: this one has been on the marketing site.
sandbox.visitors.add('a3ab2331-989f-4cfa-91c6-2461c9e3c6bd')

const idstitch = createClient({
  providers: [
    datafast({ apiKey: keys.datafast, baseUrl: sandbox.url }),
    dfend({ apiKey: keys.dfend, baseUrl: sandbox.url }),
    thrivestack({ apiKey: keys.thrivestack, baseUrl: sandbox.url }),
    pathbound({ apiKey: keys.pathbound, baseUrl: sandbox.url }),
    monterosa({ baseUrl: sandbox.url, projectId: keys.monterosaProjectId }),
    segment({ writeKey: keys.segment, baseUrl: sandbox.url }),
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
