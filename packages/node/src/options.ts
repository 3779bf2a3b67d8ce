import { ConfigError, type IdstitchError, type Provider } from '@idstitch/core'
import { pathOf, type BackoffOptions } from '@idstitch/core/internal'
// zod (mini) checks the options, as it checks every input; bundled into dist like ky (see tsup.config.ts).
import {
  _default as zDefault,
  array as zArray,
  boolean as zBoolean,
  custom as zCustom,
  gte as zGte,
  int as zInt,
  literal as zLiteral,
  minLength as zMinLength,
  object as zObject,
  optional as zOptional,
  prefault as zPrefault,
  union as zUnion,
  type output as zOutput,
  type ZodMiniType,
} from 'zod/mini'
import type { DedupeOptions } from './dedupe.js'
import type { Logger } from './logger.js'
import type { ErrorContext } from './results.js'
import type { Transport } from './transport.js'

/** Retries of network errors, 408, 429 and 5xx. */
export interface RetryOptions {
  /**
   * Retries after the first attempt. Default 4: with failures at random, the
   * attempts needed for 99 % delivery when 30 % of requests fail are
   * ln(0.01) / ln(0.3) ≈ 3.8, so 5 attempts (99.76 %), whose backoff (at most
   * 0.2 + 0.4 + 0.8 + 1.6 s) fits well within the default deadline. 0 disables retries.
   */
  limit?: number
  /**
   * The first backoff step in ms (default 200), doubling each retry, with
   * jitter; or a function from the retry number (1, 2, …) to a delay in ms.
   */
  backoff?: number | ((retry: number) => number)
  /** No computed backoff is longer than this. Default 5,000 ms. */
  maxBackoffMs?: number
  /**
   * A provider's `Retry-After` (on a 429 or 5xx) pauses every request to it, up
   * to this many ms. A longer one fails what is queued for that provider at
   * once (`provider_unavailable`), and every identify until then. Default 10,000 ms.
   */
  maxRetryAfterMs?: number
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where identifies go: `datafast(…)`, `pathbound(…)`, … from `@idstitch/node/providers`. */
  providers: readonly Provider[]
  /** Per attempt. Default 5,000 ms. */
  timeoutMs?: number
  /** For a whole `identify()`, retries and queueing included, so a login route is never held longer. Default 10,000 ms; `false` for none. */
  deadlineMs?: number | false
  /** Default `{ limit: 4, backoff: 200 }`; `false` for one attempt only. */
  retry?: RetryOptions | false
  /** Requests in flight per provider. Default 8. */
  concurrency?: number
  /** Identifies accepted and not yet finished; past it, `identify()` reports `queue_full` at once. Default 50,000 (a burst of 20,000 batched identifies peaks near 100 MB). */
  maxQueue?: number
  /** Default: warnings and errors to the console. `false` for silence. */
  logger?: Logger | false
  /** Called once for each `failed` or `invalid` result. Without it, they are logged as errors. */
  onError?: (error: IdstitchError, context: ErrorContext) => void
  /** A `fetch` to send with (through ky) instead of the default transport. */
  fetch?: typeof fetch
  /** Validate and prepare requests, send nothing: each result is `skipped` with its `request`. */
  dryRun?: boolean
  /**
   * An identify equal to the last one a provider accepted for that user (the
   * same anonymous ids and traits) within `ttlMs` (default 24 hours) is
   * `skipped` with reason `'duplicate'`, so identifying on every page view does
   * not spend a metered quota. Remembered in memory, per client, up to
   * `maxEntries` (default 10,000) users and providers. `false` turns it off.
   */
  dedupe?: DedupeOptions | false
  /**
   * Hands each identify's promise to the platform, which keeps a serverless
   * function alive until it is done, after the response has gone: `waitUntil`
   * from `@vercel/functions`, Next.js's `after`, or, per call in Workers,
   * `identify(message, { waitUntil: ctx.waitUntil.bind(ctx) })`.
   */
  waitUntil?: (promise: Promise<unknown>) => void
  /**
   * Another HTTP stack. Default: in Node (the `node` export condition),
   * `node:http`/`node:https` keep-alive agents; in Workers, Vercel Edge, Deno,
   * Bun and browsers, or when `fetch` is given, ky over `fetch`.
   */
  transport?: Transport
}

/** {@link ClientOptions} checked, with every default filled in. */
export interface ResolvedOptions {
  providers: readonly Provider[]
  timeoutMs: number
  /** `Infinity` for none. */
  deadlineMs: number
  retryLimit: number
  backoff: BackoffOptions | ((retry: number) => number)
  maxRetryAfterMs: number
  concurrency: number
  maxQueue: number
  logger: Logger | false | undefined
  onError: ClientOptions['onError']
  fetch: typeof fetch | undefined
  dryRun: boolean
  dedupe: DedupeOptions | false
  transport: Transport | undefined
  waitUntil: ((promise: Promise<unknown>) => void) | undefined
}

const isProvider = (value: unknown): value is Provider =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Provider).name === 'string' &&
  typeof (value as Provider).prepare === 'function' &&
  typeof (value as Provider).request === 'function' &&
  typeof (value as Provider).parse === 'function'

/** An integer >= `min`, `fallback` when absent. */
export const count = (min: number, fallback: number) => {
  const error = (issue: { input?: unknown }) => `must be an integer >= ${min}, got ${String(issue.input)}`
  return zDefault(zInt({ error }).check(zGte(min, { error })), fallback)
}

/** An optional function. */
const fn = <T>() => zOptional(zCustom<T>((value) => typeof value === 'function', { error: 'must be a function' }))

const DAY_MS = 24 * 60 * 60 * 1000

const provider = zCustom<Provider>(isProvider, { error: 'is not a provider; create one with datafast(…), pathbound(…), http(…) or defineProvider(…)' })
const providers = zArray(provider, { error: 'must list at least one provider' }).check(zMinLength(1, 'must list at least one provider'))

const retrySchema = zObject(
  {
    limit: count(0, 4),
    backoff: zDefault(zUnion([zCustom<(retry: number) => number>((value) => typeof value === 'function'), count(0, 200)], { error: (issue) => `must be an integer >= 0 or a function, got ${String(issue.input)}` }), 200),
    maxBackoffMs: count(0, 5_000),
    maxRetryAfterMs: count(0, 10_000),
  },
  { error: 'must be an object or false' },
)

/** What `createClient` checks with zod; `resolveOptions` turns it into {@link ResolvedOptions}. */
const schema = zObject(
  {
    providers,
    timeoutMs: count(1, 5_000),
    deadlineMs: zUnion([zLiteral(false), count(1, 10_000)], { error: (issue) => `must be an integer >= 1 or false, got ${String(issue.input)}` }),
    retry: zPrefault(zUnion([zLiteral(false), retrySchema], { error: 'must be an object or false' }), {}),
    concurrency: count(1, 8),
    maxQueue: count(1, 50_000),
    logger: zOptional(zUnion([zLiteral(false), zCustom<Logger>((value) => typeof value === 'object' && value !== null)], { error: 'must be an object with warn/error methods, or false' })),
    onError: fn<ClientOptions['onError']>(),
    fetch: fn<typeof fetch>(),
    dryRun: zOptional(zBoolean({ error: 'must be true or false' })),
    dedupe: zPrefault(zUnion([zLiteral(false), zObject({ ttlMs: count(1, DAY_MS), maxEntries: count(1, 10_000) })], { error: 'must be an object or false' }), {}),
    transport: zOptional(zCustom<Transport>((value) => typeof value === 'object' && value !== null && typeof (value as Transport).send === 'function', { error: 'must be an object with a send method' })),
    waitUntil: fn<(promise: Promise<unknown>) => void>(),
  },
  { error: 'must be an object' },
)

type Issue = { path: readonly PropertyKey[]; message: string; code?: string; errors?: Issue[][] }

/**
 * The issue to report: for `false` or an object (`retry`, `dedupe`), the one
 * inside the object (`retry.limit`), not the union's own "invalid input".
 */
const innermost = (issue: Issue | undefined): Issue => {
  if (!issue) return { path: [], message: 'is invalid' }
  const inside = issue.code === 'invalid_union' ? issue.errors?.flat().find((branch) => branch.path.length > 0) : undefined
  return inside ? innermost({ ...inside, path: [...issue.path, ...inside.path] }) : issue
}

/** Two providers with one name would share a delivery lane's results and a de-duplication record. */
const checkNames = (providers: readonly Provider[]): void => {
  const names = new Set<string>()
  for (const provider of providers) {
    if (names.has(provider.name)) throw new ConfigError('name', `two providers are named '${provider.name}'; give one a \`name\``, { provider: provider.name })
    names.add(provider.name)
  }
}

/** `options` as `schema` reads them, defaults filled in; or a `ConfigError` naming the first option at fault. */
export const parseOptions = <S extends ZodMiniType>(schema: S, options: unknown): zOutput<S> => {
  const parsed = schema.safeParse(options)
  if (parsed.success) return parsed.data as zOutput<S>
  const issue = innermost(parsed.error.issues[0])
  throw new ConfigError(pathOf(issue.path) || 'options', issue.message)
}

/**
 * Checks every option of `createClient` (with zod, as every input idstitch
 * takes) and fills in the defaults. Throws a `ConfigError` naming the first
 * option (and provider) at fault.
 */
export const resolveOptions = (options: ClientOptions): ResolvedOptions => {
  const { retry: retryOption, deadlineMs, ...checked } = parseOptions(schema, options)
  checkNames(checked.providers)
  // retry: false is one attempt, every other retry option at its default.
  const retry = retryOption === false ? { ...retrySchema.parse({}), limit: 0 } : retryOption
  return {
    ...checked,
    deadlineMs: deadlineMs === false ? Infinity : deadlineMs,
    retryLimit: retry.limit,
    backoff: typeof retry.backoff === 'function' ? retry.backoff : { baseMs: retry.backoff, maxMs: retry.maxBackoffMs, maxRetryAfterMs: retry.maxRetryAfterMs },
    maxRetryAfterMs: retry.maxRetryAfterMs,
    dryRun: checked.dryRun === true,
    // Optional in what zod returns, always present (maybe undefined) in ResolvedOptions.
    logger: checked.logger,
    onError: checked.onError,
    fetch: checked.fetch,
    transport: checked.transport,
    waitUntil: checked.waitUntil,
  }
}
