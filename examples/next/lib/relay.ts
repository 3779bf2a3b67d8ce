import { createIdentifyHandler } from '@idstitch/node'
import { idstitch, sessionUser } from './idstitch'

/**
 * The relay for the tracker's identify(). trustProxy: behind `next start` and a
 * proxy, the request URL is the address Next binds, not the host the browser used.
 */
export const relay = (request: Request): Promise<Response> =>
  createIdentifyHandler({ client: idstitch(), authenticate: (incoming) => sessionUser(incoming.headers.get('cookie')), trustProxy: true })(request)
