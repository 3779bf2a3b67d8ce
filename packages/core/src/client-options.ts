// The options of a client, checked with zod as every input idstitch takes.
// It lives in the core, beside the message schema, so that one copy of zod
// serves every package: @idstitch/node bundles none of its own (an edge
// bundle carried two partial copies, 2.3 kB brotli more).
import * as z from 'zod/mini'
import { ConfigError } from './errors.js'
import { MAX_TIMER_MS, count, fn, flag, isFunction, isObject, ms, optionsObject, parseOptions } from './option-schema.js'
import type { Provider } from './provider.js'

/** `createClient`'s options as checked, defaults filled in. What the platform supplies (`transport`, `logger`, callbacks) is checked for its shape only, and typed by the caller. */
export interface CheckedClientOptions {
  providers: readonly Provider[]
  timeoutMs: number
  /** `Infinity` for none. */
  deadlineMs: number
  retryLimit: number
  backoff: { baseMs: number; maxMs: number; maxRetryAfterMs: number } | ((retry: number) => number)
  maxRetryAfterMs: number
  concurrency: number
  maxQueue: number
  maxResponseBytes: number
  dryRun: boolean
  dedupe: { ttlMs: number; maxEntries: number } | false
  /** `false`, or an object (with the logging methods the caller types). */
  logger: object | false | undefined
  transport: object | undefined
  onError: ((...args: never[]) => unknown) | undefined
  fetch: ((...args: never[]) => unknown) | undefined
  waitUntil: ((...args: never[]) => unknown) | undefined
  telemetry: object | undefined
  debug: boolean | undefined
}

const DAY_MS = 24 * 60 * 60 * 1000

const isProvider = (value: unknown): value is Provider =>
  isObject(value) &&
  typeof (value as Provider).name === 'string' &&
  typeof (value as Provider).prepare === 'function' &&
  typeof (value as Provider).request === 'function' &&
  typeof (value as Provider).parse === 'function'

/**
 * The schemas, built on first use: zod's schema objects cost a cold start
 * (bench §3) that an app which never creates a client should not pay.
 */
let schemas: ReturnType<typeof buildSchemas> | undefined
const buildSchemas = () => {
  const retry = optionsObject(
    {
      limit: count(0, 4),
      backoff: z._default(z.union([z.custom<(retry: number) => number>(isFunction), ms(0, 200)], { error: (issue) => `must be an integer of ms from 0 to ${MAX_TIMER_MS}, or a function, got ${String(issue.input)}` }), 200),
      maxBackoffMs: ms(0, 5_000),
      maxRetryAfterMs: ms(0, 10_000),
    },
    'must be an object or false',
  )
  const client = optionsObject(
    {
      providers: z.array(z.custom<Provider>(isProvider, { error: 'is not a provider; create one with datafast(…), pathbound(…), http(…) or defineProvider(…)' }), { error: 'must list at least one provider' }).check(z.minLength(1, 'must list at least one provider')),
      timeoutMs: ms(1, 5_000),
      deadlineMs: z.union([z.literal(false), ms(1, 10_000)], { error: (issue) => `must be an integer of ms from 1 to ${MAX_TIMER_MS}, or false, got ${String(issue.input)}` }),
      retry: z.prefault(z.union([z.literal(false), retry], { error: 'must be an object or false' }), {}),
      concurrency: count(1, 8),
      maxQueue: count(1, 50_000),
      maxResponseBytes: count(1, 1_048_576),
      logger: z.optional(z.union([z.literal(false), z.custom<object>(isObject)], { error: 'must be an object with warn/error methods, or false' })),
      onError: fn(),
      fetch: fn(),
      dryRun: flag(),
      debug: flag(),
      dedupe: z.prefault(z.union([z.literal(false), optionsObject({ ttlMs: count(1, DAY_MS), maxEntries: count(1, 10_000) })], { error: 'must be an object or false' }), {}),
      transport: z.optional(z.custom<object>((value) => isObject(value) && typeof (value as { send?: unknown }).send === 'function', { error: 'must be an object with a send method' })),
      waitUntil: fn(),
      telemetry: z.optional(
        z.custom<object>((value) => isObject(value) && typeof (value as { identify?: unknown }).identify === 'function' && typeof (value as { attempt?: unknown }).attempt === 'function', {
          error: 'must be an object with identify and attempt methods: openTelemetry() from @idstitch/node/otel',
        }),
      ),
    },
  )
  const transport = optionsObject({ connections: count(1, 8) })
  return { retry, client, transport }
}
const schemasNow = () => (schemas ??= buildSchemas())

/** Two providers with one name would share a delivery lane's results and a de-duplication record. */
const checkNames = (providers: readonly Provider[]): void => {
  const names = new Set<string>()
  for (const provider of providers) {
    if (names.has(provider.name)) throw new ConfigError('name', `two providers are named '${provider.name}'; give one a \`name\``, { provider: provider.name })
    names.add(provider.name)
  }
}

/**
 * Checks every option of a client and fills in the defaults. Throws a
 * `ConfigError` naming the first option (and provider) at fault.
 */
export const checkClientOptions = (options: unknown): CheckedClientOptions => {
  const { retry: retryOption, deadlineMs, ...checked } = parseOptions(schemasNow().client, options)
  checkNames(checked.providers)
  // retry: false is one attempt, every other retry option at its default.
  const retry = retryOption === false ? { ...schemasNow().retry.parse({}), limit: 0 } : retryOption
  return {
    ...checked,
    deadlineMs: deadlineMs === false ? Infinity : deadlineMs,
    retryLimit: retry.limit,
    backoff: typeof retry.backoff === 'function' ? retry.backoff : { baseMs: retry.backoff, maxMs: retry.maxBackoffMs, maxRetryAfterMs: retry.maxRetryAfterMs },
    maxRetryAfterMs: retry.maxRetryAfterMs,
    dryRun: checked.dryRun === true,
    // Optional in what zod returns, always present (maybe undefined) here.
    logger: checked.logger,
    onError: checked.onError,
    fetch: checked.fetch,
    transport: checked.transport,
    waitUntil: checked.waitUntil,
    telemetry: checked.telemetry,
    debug: checked.debug,
  }
}

/** A transport's options (`connections`, an integer >= 1, default 8), checked as a client's are. */
export const checkTransportOptions = (options: unknown): { connections: number } => parseOptions(schemasNow().transport, options)
