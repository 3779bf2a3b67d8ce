// The same relay on the Edge runtime, for an app that still runs routes there. Next.js 16.3 deprecated
// `runtime = 'edge'` (the build warns); the Node runtime of ../identify/route.ts is its default and the one to use.
import { relayRoute } from '@idstitch/next'
import { idstitch, sessionUser } from '../../../lib/idstitch'

export const runtime = 'edge'
export const { POST } = relayRoute({ client: idstitch, authenticate: (request) => sessionUser(request.headers.get('cookie')) })
