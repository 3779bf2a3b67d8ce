// The providers the app and the worker share (a worker adds the credentials: jobs in Redis hold none).
import { pathbound } from '@idstitch/node/providers'

export const providers = () => [pathbound({ apiKey: process.env.PATHBOUND_API_KEY ?? '', ...(process.env.PATHBOUND_BASE_URL ? { baseUrl: process.env.PATHBOUND_BASE_URL } : {}) })]
