import type { Provider } from '@idstitch/core'
import { createDeliveryLane, type DeliveryOptions } from './delivery.js'
import type { Delivery, DeliveryLane, DeliveryListener } from './lane/job.js'
import type { ProviderResult } from './results.js'
import type { Sink, SinkIdentify, SinkItem } from './sink.js'
import type { Transport } from './transport.js'

/**
 * One identify's deliveries, gathered: a result per item, in the items' order, resolved once all are in.
 * One object per identify and no closure per provider, so a burst of pending identifies stays small (bench/).
 */
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
 */
export const createLaneSink = (providers: readonly Provider[], transport: Transport, options: Omit<DeliveryOptions, 'transport'>): Sink => {
  const lanes: DeliveryLane[] = providers.map((provider) => createDeliveryLane(provider, { ...options, transport }))
  return {
    accept: (identify: SinkIdentify) =>
      new Promise<ProviderResult[]>((resolve) => {
        const { items, deadline } = identify
        const gathering = new Gathering(items, resolve)
        for (let index = 0; index < items.length; index++) {
          const { slot, item, bytes } = items[index] as SinkItem
          ;(lanes[slot] as DeliveryLane).enqueue({ item, bytes, deadline, listener: gathering, slot: index })
        }
      }),
    close: async () => void (await transport.close?.()),
  }
}
