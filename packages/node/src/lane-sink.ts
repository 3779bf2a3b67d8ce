import type { Provider } from '@idstitch/core'
import { createDeliveryLane, type DeliveryOptions } from './delivery.js'
import type { Delivery, DeliveryLane, DeliveryListener } from './lane/job.js'
import { deliverEach, type ListeningSink } from './pipeline.js'
import type { ProviderResult } from './results.js'
import type { SinkIdentify, SinkItem } from './sink.js'
import type { Transport } from './transport.js'
import { guarded } from './callbacks.js'

/** One identify's deliveries gathered for `accept`: a result per item, in the items' order, resolved once all are in. */
class Gathering implements DeliveryListener {
  readonly #results: ProviderResult[]
  #waiting: number
  constructor(
    private readonly items: readonly SinkItem[],
    private readonly resolve: (results: ProviderResult[]) => void,
  ) {
    this.#results = new Array(items.length)
    this.#waiting = items.length
  }

  delivered(index: number, delivery: Delivery): void {
    this.#results[index] = { provider: (this.items[index] as SinkItem).provider.name, ...delivery }
    if (--this.#waiting === 0) this.resolve(this.#results)
  }
}

/**
 * `createClient`'s sink: a delivery lane per provider, in this process (retries, backoff, `Retry-After`,
 * the circuit breaker and the rate limit: `delivery.ts`), over one transport, which `close()` closes.
 * Besides `accept`, it has the pipeline's faster door, where each delivery settles the identify itself.
 */
export const createLaneSink = (providers: readonly Provider[], transport: Transport, options: Omit<DeliveryOptions, 'transport'>): ListeningSink => {
  const lanes: DeliveryLane[] = providers.map((provider) => createDeliveryLane(provider, { ...options, transport }))
  const observeLanes = options.telemetry?.lanes?.bind(options.telemetry)
  if (observeLanes) guarded(() => observeLanes(() => lanes.flatMap((lane) => lane.state?.() ?? [])))
  return {
    accept: ({ items, deadline }: SinkIdentify) =>
      new Promise<ProviderResult[]>((resolve) => {
        const listener = new Gathering(items, resolve)
        // The job's slot is the item's index here: the gathering answers in the items' order.
        items.forEach(({ slot, item, bytes }, index) => {
          ;(lanes[slot] as DeliveryLane).enqueue({ item, bytes, deadline, listener, slot: index })
        })
      }),
    // Each job's slot is its provider's: the lane of that slot.
    [deliverEach]: (jobs) => {
      for (const job of jobs) (lanes[job.slot] as DeliveryLane).enqueue(job)
    },
    close: async () => void (await transport.close?.()),
  }
}
