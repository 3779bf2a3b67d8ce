import type { IdentifyEvent, Provider } from '@idstitch/core'
import type { Library } from '@idstitch/core/internal'
import { fingerprintOf, type Dedupe, type DedupeTicket } from './dedupe.js'
import type { Deadline, Delivery, DeliveryLane, DeliveryListener } from './delivery.js'
import type { Logger } from './logger.js'
import { invalidResult, noteTraitsOnce, prepareFor, stampEvent, warnOnce } from './prepare.js'
import type { IdentifyResult, ProviderResult, Results } from './results.js'
import type { Redactor } from './redact.js'

/** What the fan-out needs from the client. */
export interface FanOutParts {
  providers: readonly Provider[]
  lanes: readonly DeliveryLane[]
  results: Results
  log: Required<Logger>
  redact: Redactor
  dryRun: boolean
  /** The identify's deadline, from now. */
  deadline: () => Deadline
  /** The SDK stamped on every event. */
  library: Library
  /** De-duplication; `undefined` with `dedupe: false`. */
  dedupe: Dedupe | undefined
}

/**
 * One identify in flight: gathers one result per provider (its slot is the
 * provider's index), in configuration order, and resolves once all are in,
 * or at once with `complete()`. One object per identify and no closure per
 * provider, so a burst of pending identifies stays small (see bench/).
 */
export class PendingIdentify implements DeliveryListener {
  private readonly results: ProviderResult[]
  private waiting: number
  /** What de-duplication compares and remembers of this identify. */
  fingerprint: string | undefined
  /** De-duplication's record of each provider's delivery (by slot), from the send to its end. */
  tickets: (DedupeTicket | undefined)[] | undefined
  constructor(
    private readonly parts: Pick<FanOutParts, 'providers' | 'results' | 'dedupe'>,
    private readonly userId: string | undefined,
    private resolve: ((result: IdentifyResult) => void) | undefined,
    /** Called once, when the identify resolves. */
    private readonly done: () => void,
  ) {
    this.results = new Array(parts.providers.length)
    this.waiting = parts.providers.length
  }

  delivered(slot: number, delivery: Delivery): void {
    const provider = (this.parts.providers[slot] as Provider).name
    const ticket = this.tickets?.[slot]
    if (ticket) this.parts.dedupe?.finished(ticket, delivery.status === 'delivered')
    this.settle(slot, { provider, ...delivery })
  }

  settle(slot: number, result: ProviderResult): void {
    if (!this.resolve) return
    this.results[slot] = result
    if (--this.waiting > 0) return
    let outcome: IdentifyResult
    try {
      outcome = this.parts.results.finish(this.results, this.userId)
    } catch (error) {
      // Unreachable by design (reporting guards onError); the identify still ends.
      outcome = this.parts.results.internalFailure(error)
    }
    this.complete(outcome)
  }

  /** Resolves the identify once; later results are ignored. */
  complete(result: IdentifyResult): void {
    const resolve = this.resolve
    if (!resolve) return
    this.resolve = undefined
    this.done()
    resolve(result)
  }
}

/**
 * The path of one identify: the message is validated once (message-level
 * issues make every provider's result `invalid`), then each provider's
 * adapter prepares it, and what it prepared goes to that provider's delivery
 * lane, or to its result at once when nothing is sent.
 */
export const createFanOut = (parts: FanOutParts) => {
  const { providers, lanes, log, redact } = parts
  const warn = warnOnce(log)

  /** Prepares `event` for provider `slot` and settles its result: at once when nothing is sent, after delivery otherwise. */
  const deliverTo = (slot: number, event: IdentifyEvent, deadline: Deadline, pending: PendingIdentify): void => {
    const provider = providers[slot] as Provider
    const prepared = prepareFor(provider, event, redact)
    if (!prepared.send) {
      if (prepared.result.status === 'skipped') log.debug(`${provider.name}: skipped: ${prepared.result.reason}`)
      pending.settle(slot, prepared.result)
    } else if (pending.fingerprint !== undefined && parts.dedupe?.isDuplicate(provider.name, event.userId, pending.fingerprint)) {
      // The provider accepted exactly this for this user lately: saying it again would only spend its quota.
      pending.settle(slot, { provider: provider.name, status: 'skipped', attempts: 0, reason: 'duplicate' })
    } else if (parts.dryRun) {
      warn(provider, prepared.warnings)
      const request = redact.request(provider.request([prepared.item]))
      pending.settle(slot, { provider: provider.name, status: 'skipped', attempts: 0, reason: 'dry run: prepared, not sent', request })
    } else {
      warn(provider, prepared.warnings)
      noteTraitsOnce(provider, event, log)
      if (pending.fingerprint !== undefined && parts.dedupe) (pending.tickets ??= [])[slot] = parts.dedupe.sent(provider.name, event.userId, pending.fingerprint)
      ;(lanes[slot] as DeliveryLane).enqueue({ item: prepared.item, bytes: prepared.bytes, deadline, listener: pending, slot })
    }
  }

  /** Validates `message` and fans it out; `pending` completes once every provider's result is in. */
  return (message: unknown, pending: PendingIdentify): void => {
    const prepared = stampEvent(message, crypto.randomUUID(), parts.library, redact)
    if (!prepared.ok) {
      for (const [slot, provider] of providers.entries()) pending.settle(slot, invalidResult(provider.name, prepared.issues))
      return
    }
    const deadline = parts.deadline()
    pending.fingerprint = parts.dedupe && fingerprintOf(prepared.event)
    for (let slot = 0; slot < providers.length; slot++) deliverTo(slot, prepared.event, deadline, pending)
  }
}
