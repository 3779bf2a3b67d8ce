// The W3C Trace Context (https://www.w3.org/TR/trace-context/) a queue job carries: a span's context written
// as `traceparent` and `tracestate`, and read back, strictly, from a job that may have been written by anyone
// with access to Redis. OpenTelemetry's API has no writer of its own outside a registered propagator, and the
// app's propagator may be another format or carry baggage (which can hold personal data): so these two fields,
// and nothing else, are written here.
import { type Context, createTraceState, isSpanContextValid, type SpanContext, trace } from '@opentelemetry/api'
import type { TraceContext } from './telemetry.js'

/** Version 00: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
/** The W3C limit is 32 members of at most 256 characters; a longer text is not a tracestate. */
const MAX_TRACESTATE = 512

/** A span's context as a job stores it; undefined for an invalid one (no tracer provider, no parent). */
export const traceContextOf = (span: SpanContext): TraceContext | undefined => {
  if (!isSpanContextValid(span)) return undefined
  const traceparent = `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`
  const tracestate = span.traceState?.serialize()
  return tracestate ? { traceparent, tracestate } : { traceparent }
}

/** `base` with the remote span context a job carried as its parent, when it is a valid one; `base` otherwise. */
export const contextOf = (carried: TraceContext | undefined, base: Context): Context => {
  const match = typeof carried?.traceparent === 'string' ? TRACEPARENT.exec(carried.traceparent) : null
  if (!match) return base
  const [, traceId = '', spanId = '', flags = '00'] = match
  const state = carried?.tracestate
  const span: SpanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
    ...(typeof state === 'string' && state.length <= MAX_TRACESTATE ? { traceState: createTraceState(state) } : {}),
  }
  return isSpanContextValid(span) ? trace.setSpanContext(base, span) : base
}
