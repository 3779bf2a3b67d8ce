import { getContactId, getVisitorId, type ReadCookieOptions } from '@idstitch/node'
import { cookies } from 'next/headers.js'

/** The visitor and contact ids the request's cookies hold: `<IdstitchProvider initial>` from `@idstitch/react`. */
export interface RequestIds {
  visitorId: string | undefined
  contactId: string | undefined
}

/**
 * In a server component (a layout): what the request's cookies say, for `<IdstitchProvider initial>`, so the
 * server renders the ids the browser hydrates to. On a first page view it is the id {@link idstitchProxy} just
 * minted. Reading cookies makes the route dynamic, as reading them always does.
 *
 * @example
 * <IdstitchProvider options={{ endpoint: '/api/identify' }} initial={await idstitchIds()}>{children}</IdstitchProvider>
 */
export const idstitchIds = async (options: ReadCookieOptions = {}): Promise<RequestIds> => {
  const header = (await cookies()).toString()
  return { visitorId: getVisitorId(header, options), contactId: getContactId(header, options) }
}
