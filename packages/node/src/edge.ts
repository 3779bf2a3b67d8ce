// @idstitch/node in Workers, Vercel Edge, Deno, Bun and anything else with
// `fetch` (the workerd, edge-light, browser, deno, bun and default export
// conditions): it imports no Node built-in.
import { clientFactory, type IdstitchClient } from './client.js'
import { createKyTransport } from './ky-transport.js'
import type { ClientOptions } from './options.js'

export * from './common.js'

/**
 * Creates an idstitch client; here it sends through ky over the platform's
 * `fetch`. Checks its configuration at once and throws a `ConfigError` naming
 * the provider and option at fault.
 *
 * @example
 * import { createClient } from '@idstitch/node'
 * import { pathbound } from '@idstitch/node/providers'
 *
 * export default {
 *   async fetch(request, env, ctx) {
 *     const idstitch = createClient({ providers: [pathbound({ apiKey: env.PATHBOUND_API_KEY })] })
 *     idstitch.identify({ userId: 'usr_8f3a' }, { waitUntil: ctx.waitUntil.bind(ctx) })
 *     return new Response('ok')
 *   },
 * }
 */
export const createClient: (options: ClientOptions) => IdstitchClient = clientFactory({ transport: () => createKyTransport() })
