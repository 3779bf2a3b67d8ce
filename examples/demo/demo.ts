import { createApp, type AppOptions } from '@idstitch/example-express'
import { createMarketingSite } from '@idstitch/example-script-tag'
import { startRedis } from '@idstitch/example-queue/redis-server'
import { createClient, type IdentifyTarget } from '@idstitch/node'
import { createQueue, createWorker } from '@idstitch/queue'
import { BROWSER_SDK_PREFIX, SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '@idstitch/sandbox'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { demoProviders } from './providers.js'

export interface DemoOptions {
  /** Host names the browser uses: `localhost` by default (cookies are shared across ports), or e.g. `www.example.test`. */
  marketingHost?: string
  appHost?: string
  /** 0 picks free ports. */
  ports?: { marketing: number; app: number; sandbox: number }
  env?: Record<string, string | undefined>
  /** Identify through @idstitch/queue: a local redis-server, a queue in the app and a worker (`pnpm demo --queue`). */
  queue?: boolean
}

export interface Demo {
  marketingUrl: string
  appUrl: string
  sandboxUrl: string
  sandbox: Sandbox
  /** What the app identifies with: the client, or the queue. */
  client: IdentifyTarget
  /** With `queue`: the Redis URL. */
  redisUrl?: string
  /** Which providers are real and which are the sandbox. */
  where: Record<string, 'real' | 'sandbox'>
  close(): Promise<void>
}

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })

const stop = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

type Providers = ReturnType<typeof demoProviders>['providers']

/** Identifies sent by an in-memory client. */
const clientDelivery = (providers: Providers, onError: (error: Error) => void) => {
  const client = createClient({ providers, onError })
  return { client, redisUrl: undefined, close: () => client.shutdown() }
}

/** Identifies enqueued to a local Redis by the app, and delivered by a worker. */
const queueDelivery = async (providers: Providers, onError: (error: Error) => void) => {
  const redis = await startRedis()
  const client = createQueue({ connection: redis.url, providers, onError })
  const worker = createWorker({ connection: redis.url, providers, onError })
  await worker.ready()
  return {
    client,
    redisUrl: redis.url,
    close: async () => {
      await Promise.all([client.close(), worker.close()])
      await redis.remove()
    },
  }
}

/** Starts the provider sandbox, the marketing site and the app (with `queue`, also Redis and a worker). */
export const startDemo = async ({
  marketingHost = 'localhost',
  appHost = 'localhost',
  ports = { marketing: 3000, app: 3001, sandbox: 3002 },
  env = process.env,
  queue = false,
}: DemoOptions = {}): Promise<Demo> => {
  const sandbox = await startSandbox({ port: ports.sandbox })
  const sandboxUrl = `${sandbox.url.replace('127.0.0.1', 'localhost')}/`
  const { providers, where } = demoProviders(sandbox.url, env)
  const onError = (error: Error) => console.log(`[demo] ${error.message}`)
  const delivery = queue ? await queueDelivery(providers, onError) : clientDelivery(providers, onError)
  const client = delivery.client

  // Each site links to the other; the links are read per request, so fill them in once both listen.
  // The page also runs posthog-js, Amplitude's SDK and mixpanel-browser, pointed at the same backends as the server's providers: their own ids get stitched too.
  const posthogOnPage = where.posthog === 'real' ? { apiKey: env.POSTHOG_API_KEY as string, host: env.POSTHOG_HOST ?? 'https://us.i.posthog.com' } : { apiKey: SANDBOX_CREDENTIALS.posthog, host: `${sandbox.url}${BROWSER_SDK_PREFIX}/posthog` }
  const mixpanelOnPage = where.mixpanel === 'real' ? { token: env.MIXPANEL_TOKEN as string, apiHost: env.MIXPANEL_HOST ?? 'https://api-js.mixpanel.com' } : { token: SANDBOX_CREDENTIALS.mixpanel, apiHost: `${sandbox.url}${BROWSER_SDK_PREFIX}/mixpanel` }
  const amplitudeOnPage = where.amplitude === 'real' ? { apiKey: env.AMPLITUDE_API_KEY as string, serverUrl: env.AMPLITUDE_SERVER_URL ?? 'https://api2.amplitude.com/2/httpapi' } : { apiKey: SANDBOX_CREDENTIALS.amplitude, serverUrl: `${sandbox.url}${BROWSER_SDK_PREFIX}/amplitude/2/httpapi` }
  const links = { appUrl: '', sandboxUrl, posthog: posthogOnPage, amplitude: amplitudeOnPage, mixpanel: mixpanelOnPage, ga4: true }
  const appOptions: AppOptions = { client, sandboxUrl }
  const marketing = createMarketingSite(links)
  const appServer: Server = await new Promise((resolve, reject) => {
    const server = createApp(appOptions).listen(ports.app, '127.0.0.1', () => resolve(server))
    server.once('error', reject)
  })
  const marketingPort = await listen(marketing, ports.marketing)
  const marketingUrl = `http://${marketingHost}:${marketingPort}/`
  const appUrl = `http://${appHost}:${(appServer.address() as AddressInfo).port}/`
  links.appUrl = appUrl
  appOptions.marketingUrl = marketingUrl

  return {
    marketingUrl,
    appUrl,
    sandboxUrl,
    sandbox,
    client,
    ...(delivery.redisUrl ? { redisUrl: delivery.redisUrl } : {}),
    where,
    close: async () => {
      await delivery.close()
      await Promise.all([stop(marketing), stop(appServer)])
      await sandbox.close()
    },
  }
}
