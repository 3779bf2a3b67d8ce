// What the lane tells telemetry of an attempt: where it goes (never its query, nor the path of an app's
// own URL), how it ended, and what the gates made of it. Only computed when telemetry follows the lane.
import type { Provider, ProviderRequest } from '@idstitch/core'
import type { AttemptEnd, AttemptStart, LaneState } from '../telemetry.js'
import type { Flight, Landing } from './flight.js'
import type { Gate } from './gates.js'
import type { Outcome } from './job.js'

/** Each request URL's origin and path, parsed once: a provider sends to one or two URLs (bench §2: parsing each time cost ~3 µs an attempt). */
const parsedUrls = new Map<string, { origin: string; path: string }>()
const parsed = (href: string): { origin: string; path: string } => {
  let found = parsedUrls.get(href)
  if (!found) {
    const url = new URL(href)
    found = { origin: url.origin, path: url.pathname }
    if (parsedUrls.size >= 256) parsedUrls.clear()
    parsedUrls.set(href, found)
  }
  return found
}

/** The attempt of `flight` that starts with `request`. */
export const attemptStart = (provider: Provider, request: ProviderRequest, flight: Flight): AttemptStart => {
  const kind = provider.kind ?? provider.name
  const { origin, path } = parsed(request.url)
  // http()'s URL is the app's own, and may carry a secret in its path (a webhook's token): its host alone.
  return { provider: provider.name, kind, method: request.method, origin, ...(kind === 'http' ? {} : { path }), attempt: flight.attempts, items: flight.jobs.length }
}

/** What the gates hold back at `now`: how long a pause lasts, and why the provider is refused. */
export interface GateState {
  pausedMs: number
  refusing?: 'circuit_open' | 'provider_unavailable'
  /** The circuit breaker opened, and no attempt has succeeded since. */
  tripped?: true
}

export const gateStateAt = (gates: readonly Gate[], now: number): GateState => {
  let pausedMs = 0
  let refusing: GateState['refusing']
  const tripped = gates.some((gate) => gate.tripped?.() === true)
  for (const gate of gates) {
    const wait = gate.wait(now)
    if (wait === 0) continue
    if (gate.kind === 'pause') pausedMs = Math.max(pausedMs, wait)
    else if (gate.kind === 'refuse') refusing ??= gate.circuit ? 'circuit_open' : 'provider_unavailable'
  }
  return { pausedMs, ...(refusing ? { refusing } : {}), ...(tripped ? { tripped } : {}) }
}

/** How the attempt ended, what comes next, and what its outcome made the gates do (a pause begun, a refusal begun). */
export const attemptEnd = (outcome: Outcome, landing: Landing, before: GateState, after: GateState): AttemptEnd => {
  const { status, httpStatus, error } = outcome.delivery
  return {
    status,
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(error ? { code: error.code } : {}),
    next: landing.next,
    ...(landing.next === 'retry' ? { retryDelayMs: landing.delayMs } : {}),
    ...(after.pausedMs > 0 && before.pausedMs === 0 ? { pausedMs: after.pausedMs } : {}),
    ...(after.refusing && !before.refusing ? { refusing: after.refusing } : {}),
    ...(before.tripped && !after.tripped ? { circuitClosed: true as const } : {}),
  }
}

/** The lane's state for the metrics: what waits, what is on the wire, whether its circuit is open. */
export const laneState = (provider: Provider, queued: number, inFlight: number, gates: readonly Gate[], now: number): LaneState => ({
  provider: provider.name,
  kind: provider.kind ?? provider.name,
  queued,
  inFlight,
  circuitOpen: gates.some((gate) => gate.circuit === true && gate.wait(now) > 0),
})
