import { JsonText } from '@idstitch/core/internal'

/** A prepared item as JSON: what a durable sink keeps, and what {@link restoreItem} turns back into the item. */
export interface StoredItem {
  /** The item as a JSON value. */
  item: unknown
  /** The adapter prepared it as JSON text (Segment, Thrivestack): it is handed back as such. */
  text: boolean
}

/**
 * A prepared item (`SinkItem.item`) as it can be kept outside the process (Redis, SQS, Kafka), or why it
 * cannot: an item that carries a per-user credential (Monterosa's user token) is never stored.
 *
 * @example
 * const kept = storeItem(item)
 * if (kept.ok) await queue.send(JSON.stringify({ provider: provider.name, ...kept.stored }))
 */
export const storeItem = (item: unknown): { ok: true; stored: StoredItem } | { ok: false; reason: string } => {
  if (item instanceof JsonText) return { ok: true, stored: { item: JSON.parse(item.text) as unknown, text: true } }
  // Symbol keys are how an adapter keeps a credential in an item without it ever being serialised.
  if (typeof item === 'object' && item !== null && Object.getOwnPropertySymbols(item).length > 0) {
    return { ok: false, reason: "carries the user's own token, a credential that is never stored outside the process; send this provider's identifies with @idstitch/node's createClient" }
  }
  return { ok: true, stored: { item, text: false } }
}

/** The item as the adapter prepared it, from what {@link storeItem} kept: for `Sender.send`. */
export const restoreItem = (stored: StoredItem): unknown => (stored.text ? new JsonText(JSON.stringify(stored.item)) : stored.item)
