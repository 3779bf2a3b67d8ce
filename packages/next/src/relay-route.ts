import { createIdentifyHandler, type IdentifyHandlerOptions } from '@idstitch/node'

/** Options of {@link relayRoute}: those of `createIdentifyHandler()`, with `trustProxy` on by default. */
export interface RelayRouteOptions extends IdentifyHandlerOptions {}

/**
 * The relay for the tracker's `identify()`, as a route handler for the Node and Edge runtimes. The handler is
 * created on the first request, so `next build` does not create the client. `trustProxy` defaults to `true`:
 * behind `next start`, the request's URL is the address Next binds, and Next itself sets the `X-Forwarded-*`
 * headers it reads (on a host that lets browsers reach Next directly, the client IP they give is the browser's word).
 *
 * @example
 * // app/api/identify/route.ts
 * export const { POST } = relayRoute({ client: idstitch, authenticate: async () => (await auth())?.user.id })
 */
export const relayRoute = (options: RelayRouteOptions): { POST: (request: Request) => Promise<Response> } => {
  let handler: ((request: Request) => Promise<Response>) | undefined
  const post = (request: Request): Promise<Response> => (handler ??= createIdentifyHandler({ trustProxy: true, ...options }))(request)
  return { POST: post }
}
