// @idstitch/node under the `node` export condition: the same API as every
// other entry, sending over Node's own HTTP stack. toNodeHandler and the
// node:http transport are in '@idstitch/node/node-http'.
import { clientFactory, type IdstitchClient } from './client.js'
import { createNodeHttpTransport } from './node-http-transport.js'
import type { ClientOptions } from './options.js'

export * from './common.js'

/**
 * Creates an idstitch client; in Node it sends over `node:http`/`node:https`
 * keep-alive agents. Checks its configuration at once and throws a
 * `ConfigError` naming the provider and option at fault.
 *
 * @example
 * import { createClient } from '@idstitch/node'
 * import { datafast, pathbound } from '@idstitch/node/providers'
 *
 * const idstitch = createClient({
 *   providers: [datafast({ apiKey: process.env.DATAFAST_API_KEY! }), pathbound({ apiKey: process.env.PATHBOUND_API_KEY! })],
 * })
 * const result = await idstitch.identify({ userId: user.externalId, anonymousId: getVisitorId(req), traits: { email: user.email } })
 */
export const createClient: (options: ClientOptions) => IdstitchClient = clientFactory({
  transport: ({ concurrency }) => createNodeHttpTransport({ connections: concurrency }),
  debug: () => ['1', 'true'].includes(process.env.IDSTITCH_DEBUG ?? ''),
})
