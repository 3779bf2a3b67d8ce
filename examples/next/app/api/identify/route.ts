// The relay for the tracker's identify(), on the Node runtime.
import { relayRoute } from '@idstitch/next'
import { idstitch, sessionUser } from '../../../lib/idstitch'

export const { POST } = relayRoute({ client: idstitch, authenticate: (request) => sessionUser(request.headers.get('cookie')) })
