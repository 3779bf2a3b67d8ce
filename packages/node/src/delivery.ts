import type { Provider } from '@idstitch/core'
import type { BackoffOptions } from '@idstitch/core/internal'
import { breakerGate, pauseGate, rateLimitGate, unavailableGate, type Gate } from './lane/gates.js'
import type { DeliveryLane } from './lane/job.js'
import { createLane, type LaneParts } from './lane/pump.js'
import { createRetryPolicy } from './lane/retry-policy.js'

export type { Deadline, Delivery, DeliveryLane, DeliveryListener, Job } from './lane/job.js'

/** How the client's lane for one provider delivers. */
export interface DeliveryOptions extends Omit<LaneParts, 'retry' | 'gates'> {
  retryLimit: number
  backoff: BackoffOptions | ((retry: number) => number)
  /** A `Retry-After` up to this pauses the provider; a longer one fails what is queued at once. */
  maxRetryAfterMs: number
  random: () => number
}

/**
 * The gates of the client's lane, in the order they are asked: a provider
 * that asked for a long wait, then the circuit breaker, fail what waits; a
 * short `Retry-After` pauses it; the provider's rate limit gives each attempt its turn.
 */
const clientGates = (provider: Provider, maxRetryAfterMs: number): Gate[] => [
  unavailableGate(maxRetryAfterMs),
  breakerGate(),
  pauseGate(maxRetryAfterMs),
  ...(provider.rateLimit ? [rateLimitGate(provider.rateLimit)] : []),
]

/**
 * One provider's delivery lane in `createClient`: a queue, a concurrency
 * limit, batching for providers that take several items a request, the
 * provider's rate limit, retries with backoff bounded by each message's
 * deadline, a pause for everyone when the provider sends `Retry-After`, and a
 * circuit breaker. (A queue worker composes fewer parts: see `@idstitch/queue`.)
 */
export const createDeliveryLane = (provider: Provider, options: DeliveryOptions): DeliveryLane =>
  createLane(provider, { ...options, retry: createRetryPolicy(options), gates: clientGates(provider, options.maxRetryAfterMs) })
