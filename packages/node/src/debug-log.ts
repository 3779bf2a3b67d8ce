// The debug lines: one per delivery attempt (its answer, and a retry, a Retry-After pause or a circuit opening
// it caused), written through the client's logger (prefixed, redacted) with the same facts as fields, so a
// structured logger (pino, winston) gets them as such. On with `debug: true` or IDSTITCH_DEBUG=1 (in Node).
import type { Logger } from './logger.js'
import type { AttemptEnd, AttemptStart, Telemetry } from './telemetry.js'

/** What an attempt's line says after the provider's name. */
const sentence = (start: AttemptStart, end: AttemptEnd): string => {
  const answer = end.httpStatus !== undefined ? `HTTP ${end.httpStatus}` : (end.code ?? end.status)
  const parts = [`attempt ${start.attempt} (${start.items} identif${start.items === 1 ? 'y' : 'ies'}): ${end.status}, ${answer}${end.code && end.httpStatus !== undefined ? ` (${end.code})` : ''}`]
  if (end.next === 'retry') parts.push(`retry in ${end.retryDelayMs} ms`)
  if (end.pausedMs !== undefined) parts.push(`Retry-After pauses every request for ${end.pausedMs} ms`)
  if (end.refusing === 'circuit_open') parts.push('the circuit opened: nothing is sent for a while')
  if (end.refusing === 'provider_unavailable') parts.push('the provider asked for a longer wait than maxRetryAfterMs: nothing is sent until then')
  if (end.circuitClosed) parts.push('the circuit closed: requests flow again')
  return parts.join('; ')
}

/** Telemetry that writes each attempt as a debug line. */
export const debugTelemetry = (log: Required<Logger>): Telemetry => ({
  identify: () => undefined,
  attempt: (start) => ({
    end: (end) => log.debug(`${start.provider}: ${sentence(start, end)}`, { event: 'attempt', ...start, ...end }),
  }),
})

/** Both telemetries: `first` follows the identifies (its traces are the ones attempts get), `second` the attempts too. */
export const alongside = (first: Telemetry | undefined, second: Telemetry | undefined): Telemetry | undefined => {
  if (!first || !second) return first ?? second
  return {
    identify: () => first.identify(),
    attempt(start, identifies) {
      const traces = [first.attempt(start, identifies), second.attempt(start, [])]
      return {
        end(end) {
          for (const trace of traces) trace?.end(end)
        },
      }
    },
    ...(first.lanes ? { lanes: first.lanes.bind(first) } : {}),
    ...(first.traceContext ? { traceContext: first.traceContext.bind(first) } : {}),
  }
}
