// The same relay on the Edge runtime.
import { relayRoute } from '@idstitch/next'
import { idstitch, sessionUser } from '../../../lib/idstitch'

export const runtime = 'edge'
export const { POST } = relayRoute({ client: idstitch, authenticate: (request) => sessionUser(request.headers.get('cookie')) })
