import type { IdentifyMessage, IdentifyOptions, IdentifyResult, IdstitchClient } from '@idstitch/node'

/**
 * A client created on its first identify, not at import: `next build` imports every route's modules, and a
 * client created then would need the provider keys in the build's environment. A missing key still throws
 * its `ConfigError` (naming the provider and the option), on the first request.
 *
 * @example
 * export const idstitch = lazyClient(() => createClient({ providers: [pathbound({ apiKey: process.env.PATHBOUND_API_KEY! })] }))
 */
export const lazyClient = (create: () => IdstitchClient): IdstitchClient => {
  let client: IdstitchClient | undefined
  const created = () => (client ??= create())
  return {
    identify: (message: IdentifyMessage, options?: IdentifyOptions): Promise<IdentifyResult> => created().identify(message, options),
    // Nothing was sent before the client exists: nothing to wait for.
    flush: async () => client?.flush(),
    shutdown: async () => client?.shutdown(),
  }
}
