import { IdstitchError, type Provider, type ProviderRequest } from '@idstitch/core'
import { adapterFailed } from './answer.js'
import { createAttempts, type AttemptOptions, type SendAttempt } from './attempt.js'
import { createBatcher, type Batcher } from './batcher.js'
import { board, depart, land, lastStart, type Flight } from './flight.js'
import type { Gate, GateKind } from './gates.js'
import { expired, finish, type Delivery, type DeliveryLane, type Job, type Outcome } from './job.js'
import type { RetryPolicy } from './retry-policy.js'
import { guarded } from '../callbacks.js'
import type { LaneState, Telemetry } from '../telemetry.js'
import { attemptEnd, attemptStart, gateStateAt, laneState } from './traced.js'

/** The parts a lane is made of: how it sends, how many attempts at once, when it retries, and what may hold it back. */
export interface LaneParts extends AttemptOptions {
  concurrency: number
  retry: RetryPolicy
  /** Asked before every attempt, in order; shown every outcome. */
  gates: readonly Gate[]
  /** Follows each attempt, when the client has it. */
  telemetry?: Telemetry | undefined
}

/**
 * A delivery lane made of parts: a batcher of waiting jobs, flights (one
 * request and its attempts each), gates and a retry policy, driven by a pump
 * that starts attempts while a concurrency slot is free and the gates allow.
 *
 * A slot is held only while an attempt is on the wire: a flight waiting for
 * its backoff, its turn or a pause holds none, so healthy messages keep
 * flowing past failing ones.
 */
export const createLane = (provider: Provider, parts: LaneParts): DeliveryLane => new Pump(provider, parts)

/** The lane's pump; a class, so that each of its steps is a method of its own over the lane's state. */
class Pump implements DeliveryLane {
  readonly #waiting: Batcher
  readonly #send: SendAttempt
  readonly #waker: Waker
  /** The gates by kind, sorted once: the pump asks them on every attempt. */
  readonly #refusing: readonly Gate[]
  readonly #pausing: readonly Gate[]
  readonly #turns: readonly Gate[]
  /** Flights whose backoff or turn is over, ahead of new jobs. */
  #ready: Flight[] = []
  #active = 0
  #scheduled = false

  readonly #provider: Provider
  readonly #parts: LaneParts

  constructor(provider: Provider, parts: LaneParts) {
    this.#provider = provider
    this.#parts = parts
    this.#waiting = createBatcher(provider.batch)
    this.#send = createAttempts(provider, parts)
    this.#waker = createWaker(this.#pump, parts.now)
    const ofKind = (kind: GateKind) => parts.gates.filter((gate) => gate.kind === kind)
    this.#refusing = ofKind('refuse')
    this.#pausing = ofKind('pause')
    this.#turns = ofKind('turn')
  }

  /** What waits, what is on the wire, and whether the circuit is open: for the metrics. */
  state(): LaneState {
    const flights = this.#ready.reduce((jobs, flight) => jobs + flight.jobs.length, 0)
    return laneState(this.#provider, this.#waiting.size + flights, this.#active, this.#parts.gates, this.#parts.now())
  }

  enqueue(job: Job): void {
    this.#waiting.push(job)
    if (this.#scheduled) return
    // A provider that takes one item a request has nothing to wait for: its attempt starts now.
    // For one that batches, everything queued in the same tick may share a request.
    if (!this.#provider.batch) this.#pump()
    else {
      this.#scheduled = true
      queueMicrotask(this.#pump)
    }
  }

  /** Starts attempts while there is a free slot and the gates allow (bound: timers and microtasks call it). */
  readonly #pump = (): void => {
    this.#scheduled = false
    const now = this.#parts.now()
    this.#expireWaiting(now)
    const refusing = this.#refusingAt(now)
    if (refusing) this.#refuseWaiting(refusing)
    else if (this.#pausedAt(now)) return
    while (this.#active < this.#parts.concurrency && !refusing) {
      const flight = this.#ready.shift() ?? (this.#waiting.size > 0 ? board(this.#waiting.take()) : undefined)
      if (!flight) break
      this.#launch(flight, now)
    }
    this.#waker.wakeAt(this.#nextDeadline())
  }

  /** Whether a `pause` gate is shut at `now`: then what waits, waits, and the lane wakes when the pause ends, or at the first deadline before. */
  #pausedAt(now: number): boolean {
    let paused = 0
    for (const gate of this.#pausing) paused = Math.max(paused, gate.wait(now))
    if (paused === 0) return false
    const anything = this.#waiting.size > 0 || this.#ready.length > 0
    this.#waker.wakeAt(anything ? Math.min(now + paused, this.#nextDeadline()) : Number.POSITIVE_INFINITY)
    return true
  }

  /** The first `refuse` gate that is shut at `now`. */
  #refusingAt(now: number): Gate | undefined {
    for (const gate of this.#refusing) if (gate.wait(now) > 0) return gate
    return undefined
  }

  /** Starts `flight`'s next attempt, or puts it aside for its turn, or ends it. */
  #launch(flight: Flight, now: number): void {
    const remaining = flight.deadline.at - now
    if (remaining < flight.room) {
      this.#end(flight, (attempts) => expired(this.#provider.name, flight.deadline, attempts))
      return
    }
    if (this.#waitsItsTurn(flight, now, remaining)) return
    const request = this.#requestFor(flight)
    if (!request) return
    for (const gate of this.#parts.gates) gate.pass?.(now)
    this.#active++
    depart(flight)
    const telemetry = this.#parts.telemetry
    if (telemetry) flight.trace = guarded(() => telemetry.attempt(attemptStart(this.#provider, request, flight), flight.jobs.map((job) => job.listener.trace)))
    this.#send(request, flight, this.#landed)
  }

  /** Whether a `turn` gate holds `flight` back: put aside until its turn, or refused when that comes too late. */
  #waitsItsTurn(flight: Flight, now: number, remaining: number): boolean {
    for (const gate of this.#turns) {
      const wait = gate.wait(now)
      if (wait === 0) continue
      if (wait >= remaining) this.#end(flight, (attempts) => this.#refusedBy(gate, attempts))
      else this.#sleep(flight, wait)
      return true
    }
    return false
  }

  /** The flight's request, built once; an adapter that throws building it ends the flight (a bug, never the host app's failure). */
  #requestFor(flight: Flight): ProviderRequest | undefined {
    try {
      flight.request ??= this.#provider.request(flight.jobs.map((job) => job.item))
      return flight.request
    } catch (error) {
      finish(flight.jobs, this.#unbuildable(error, flight.attempts))
      return undefined
    }
  }

  /** An attempt is over: the gates see its outcome, its slot frees up, the flight lands, and the next attempt may start. */
  readonly #landed = (flight: Flight, outcome: Outcome): void => {
    this.#active--
    const now = this.#parts.now()
    const { trace } = flight
    const before = trace && gateStateAt(this.#parts.gates, now)
    for (const gate of this.#parts.gates) gate.observe?.(outcome, now)
    const landing = land(flight, outcome, { now, retry: this.#parts.retry, refusing: this.#refusingAt(now) !== undefined, rebuild: this.#rebuild, unbuildable: this.#unbuildable })
    if (trace && before) {
      flight.trace = undefined
      guarded(() => trace.end(attemptEnd(outcome, landing, before, gateStateAt(this.#parts.gates, now))))
    }
    if (landing.refused) for (const { job, delivery } of landing.refused) finish([job], delivery)
    if (landing.next === 'advance') this.#ready.push(flight)
    else if (landing.next === 'finish') finish(flight.jobs, landing.delivery)
    else this.#sleep(flight, landing.delayMs)
    this.#pump()
  }

  /**
   * What to send next for `items` (what a batch's answer did not refuse), in the chain the adapter builds for
   * them: after the request like `answered` (the same URL), or that request itself to send it again; the
   * chain's first when none is like it (none of it was sent).
   */
  readonly #rebuild = (items: unknown[], answered: ProviderRequest, others: 'accepted' | 'resend'): ProviderRequest | undefined => {
    const chain = this.#provider.request(items)
    for (let request: ProviderRequest | undefined = chain; request; request = request.next) {
      if (request.url === answered.url) return others === 'accepted' ? request.next : request
    }
    return chain
  }

  readonly #unbuildable = (error: unknown, attempts: number): Delivery => ({
    status: 'failed',
    attempts,
    error: adapterFailed(this.#provider.name, this.#parts.redact, error, 'building the request'),
  })

  /** Puts `flight` aside for `ms`, holding no slot, then ahead of new jobs. */
  #sleep(flight: Flight, ms: number): void {
    setTimeout(() => {
      this.#ready.push(flight)
      this.#pump()
    }, ms)
  }

  /** Ends, at their deadline, the jobs and flights still waiting, so every identify resolves on time. */
  #expireWaiting(now: number): void {
    const { name } = this.#provider
    for (let job = this.#waiting.takeDue(now); job; job = this.#waiting.takeDue(now)) finish([job], expired(name, job.deadline))
    if (this.#ready.length === 0) return
    const kept: Flight[] = []
    for (const flight of this.#ready) {
      if (lastStart(flight) < now) this.#end(flight, (attempts) => expired(name, flight.deadline, attempts))
      else kept.push(flight)
    }
    this.#ready = kept
  }

  /** Fails everything waiting at once: `gate` refuses it (the provider is down, or asked for a long pause). */
  #refuseWaiting(gate: Gate): void {
    const always = Number.POSITIVE_INFINITY
    for (let job = this.#waiting.takeDue(always); job; job = this.#waiting.takeDue(always)) finish([job], this.#refusedBy(gate, 0))
    const flights = this.#ready
    this.#ready = []
    for (const flight of flights) this.#end(flight, (attempts) => this.#refusedBy(gate, attempts))
  }

  /** Ends a flight with its last attempt's failure, or else with `otherwise`. */
  #end(flight: Flight, otherwise: (attempts: number) => Delivery): void {
    finish(flight.jobs, flight.last ?? otherwise(flight.attempts))
  }

  /** The failure of what `gate` refuses; a `refuse` gate says how long until the provider may be sent to again (a queue worker pauses for it). */
  #refusedBy(gate: Gate, attempts: number): Delivery {
    const now = this.#parts.now()
    const { code, why } = gate.refusal?.(now) ?? { code: 'provider_unavailable', why: 'the provider may not be sent to now' }
    const error = new IdstitchError(code, `[idstitch] ${this.#provider.name}: ${why}; nothing more was sent`, { provider: this.#provider.name })
    const until = gate.kind === 'refuse' ? gate.wait(now) : 0
    return { status: 'failed', attempts, error, ...(until > 0 ? { retryAfterMs: until } : {}) }
  }

  /** The soonest moment something waiting must be looked at again: its deadline. */
  #nextDeadline(): number {
    let at = this.#waiting.nextDeadline()
    for (const flight of this.#ready) at = Math.min(at, lastStart(flight))
    return at
  }
}

/** Wakes the lane at a given moment. */
interface Waker {
  wakeAt(when: number): void
}

/**
 * One timer that wakes the lane at the soonest moment asked for (the end of a
 * pause, or the next deadline of what waits). Asked for `Infinity` (nothing
 * waits), it leaves no timer to keep the process alive.
 */
const createWaker = (wake: () => void, clock: () => number): Waker => {
  let at = Number.POSITIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined
  const cancel = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    at = Number.POSITIVE_INFINITY
  }
  return {
    wakeAt(when: number): void {
      if (when === Number.POSITIVE_INFINITY) {
        cancel()
        return
      }
      if (when >= at) return
      if (timer !== undefined) clearTimeout(timer)
      at = when
      timer = setTimeout(() => {
        timer = undefined
        at = Number.POSITIVE_INFINITY
        wake()
      }, Math.max(0, when - clock()))
    },
  }
}
