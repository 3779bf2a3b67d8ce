// @idstitch/node/otel: idstitch's telemetry hooks on OpenTelemetry's API, apart from every other entry, so
// that only an app that imports it loads @opentelemetry/api (an optional peer, as OpenTelemetry asks of
// libraries). No SDK and no exporter are bundled: the app's registered providers receive the data.
import { context, type Context, type Counter, type Histogram, type Link, type Meter, metrics, type MeterProvider, type Span, SpanKind, SpanStatusCode, trace, type Tracer, type TracerProvider, ValueType } from '@opentelemetry/api'
import type { AttemptEnd, AttemptStart, AttemptTrace, IdentifyTrace, LaneState, Telemetry, TelemetryResult } from './telemetry.js'

declare const __IDSTITCH_VERSION__: string

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Default: the one registered globally (`trace.setGlobalTracerProvider`, or the Node SDK's `start()`). */
  tracerProvider?: TracerProvider
  /** Default: the one registered globally. */
  meterProvider?: MeterProvider
}

const SCOPE = '@idstitch/node'
/** A batch's request links to at most this many of the identifies it carries (its parent is the first). */
const MAX_LINKS = 32

/** The instruments, made once per client. */
const instrumentsOf = (meter: Meter) => ({
  results: meter.createCounter('idstitch.identify.results', { description: 'Identify results, by provider, status and error code', unit: '{result}' }),
  duration: meter.createHistogram('idstitch.delivery.duration', { description: 'Duration of delivery attempts to a provider', unit: 's', valueType: ValueType.DOUBLE }),
  lanes: [
    meter.createObservableGauge('idstitch.lane.queued', { description: 'Identifies waiting in a provider lane', unit: '{identify}' }),
    meter.createObservableGauge('idstitch.lane.in_flight', { description: 'Requests to a provider on the wire', unit: '{request}' }),
    meter.createObservableGauge('idstitch.circuit.state', { description: "A provider's circuit breaker: 1 open (no request is sent), 0 closed", unit: '1' }),
  ] as const,
})
type Instruments = ReturnType<typeof instrumentsOf>

/** The span of one identify: a child of the caller's active span. */
class IdentifySpan implements IdentifyTrace {
  constructor(
    readonly span: Span,
    private readonly results: Counter,
  ) {}

  end(results: readonly TelemetryResult[]): void {
    let failed = 0
    for (const { provider, status, code } of results) {
      if (status === 'failed' || status === 'invalid') failed++
      const attributes = { 'idstitch.provider.name': provider, 'idstitch.result.status': status, ...(code ? { 'error.type': code } : {}) }
      this.results.add(1, attributes)
      this.span.addEvent('idstitch.result', attributes)
    }
    this.span.setAttribute('idstitch.providers', results.length)
    if (failed > 0) this.span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${results.length} providers failed or refused the identify` })
    this.span.end()
  }
}

/** The span of one attempt (an HTTP client span), and its duration. */
class AttemptSpan implements AttemptTrace {
  readonly #started = performance.now()
  constructor(
    private readonly span: Span,
    private readonly start: AttemptStart,
    private readonly duration: Histogram,
  ) {}

  end(end: AttemptEnd): void {
    const { span } = this
    if (end.httpStatus !== undefined) span.setAttribute('http.response.status_code', end.httpStatus)
    if (end.code) {
      span.setAttribute('error.type', end.code)
      span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.setAttribute('idstitch.result.status', end.status)
    if (end.next === 'retry') span.addEvent('idstitch.retry', { 'idstitch.retry.delay_ms': end.retryDelayMs ?? 0 })
    if (end.pausedMs !== undefined) span.addEvent('idstitch.retry_after.pause', { 'idstitch.pause.duration_ms': end.pausedMs })
    if (end.refusing === 'circuit_open') span.addEvent('idstitch.circuit.open')
    if (end.refusing === 'provider_unavailable') span.addEvent('idstitch.provider.unavailable')
    span.end()
    this.duration.record((performance.now() - this.#started) / 1000, {
      'idstitch.provider.name': this.start.provider,
      'idstitch.provider.kind': this.start.kind,
      'idstitch.result.status': end.status,
      ...(end.httpStatus !== undefined ? { 'http.response.status_code': end.httpStatus } : {}),
    })
  }
}

/** Each origin's host and port, worked out once (a client sends to a handful). */
const servers = new Map<string, { address: string; port: number }>()
const serverOf = (origin: string): { address: string; port: number } => {
  let server = servers.get(origin)
  if (!server) {
    const url = new URL(origin)
    server = { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) }
    if (servers.size >= 256) servers.clear()
    servers.set(origin, server)
  }
  return server
}

/** An attempt's span: under its first identify's span, linked to the others of a batch. */
const attemptSpan = (tracer: Tracer, start: AttemptStart, identifies: readonly (IdentifyTrace | undefined)[]): Span => {
  const parents = identifies.filter((identify): identify is IdentifySpan => identify instanceof IdentifySpan)
  const parent: Context = parents[0] ? trace.setSpan(context.active(), parents[0].span) : context.active()
  const links: Link[] = parents.slice(1, MAX_LINKS + 1).map((identify) => ({ context: identify.span.spanContext() }))
  const server = serverOf(start.origin)
  // OpenTelemetry's HTTP client conventions: `{method} {url.template}`; the provider's path is a template (it holds no id).
  return tracer.startSpan(
    start.path ? `${start.method} ${start.path}` : start.method,
    {
      kind: SpanKind.CLIENT,
      links,
      attributes: {
        'http.request.method': start.method,
        'server.address': server.address,
        'server.port': server.port,
        ...(start.path ? { 'url.template': start.path } : {}),
        'idstitch.provider.name': start.provider,
        'idstitch.provider.kind': start.kind,
        'idstitch.attempt': start.attempt,
        'idstitch.batch.size': start.items,
      },
    },
    parent,
  )
}

/** Reports every lane's state when the meter collects. */
const observeLanes = (meter: Meter, instruments: Instruments, read: () => readonly LaneState[]): void => {
  const [queued, inFlight, circuit] = instruments.lanes
  meter.addBatchObservableCallback(
    (result) => {
      for (const lane of read()) {
        const attributes = { 'idstitch.provider.name': lane.provider, 'idstitch.provider.kind': lane.kind }
        result.observe(queued, lane.queued, attributes)
        result.observe(inFlight, lane.inFlight, attributes)
        result.observe(circuit, lane.circuitOpen ? 1 : 0, attributes)
      }
    },
    [queued, inFlight, circuit],
  )
}

/**
 * idstitch's traces and metrics, through OpenTelemetry's API: a span per identify (a child of the request's
 * active span), an HTTP client span per delivery attempt with its retries, `Retry-After` pauses and circuit
 * openings as events, a counter of results by provider, status and code, a histogram of attempt durations, and
 * each provider lane's queued and in-flight counts and circuit state. Without a registered tracer or meter
 * provider, OpenTelemetry's API does nothing, and neither does this. No attribute, event or metric holds a
 * user id, anonymous id, trait, address, cookie, key, token or query string.
 *
 * @example
 * import { openTelemetry } from '@idstitch/node/otel'
 * const idstitch = createClient({ providers, telemetry: openTelemetry() })
 */
export const openTelemetry = (options: OpenTelemetryOptions = {}): Telemetry => {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, __IDSTITCH_VERSION__)
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, __IDSTITCH_VERSION__)
  const instruments = instrumentsOf(meter)
  return {
    identify: () => new IdentifySpan(tracer.startSpan('idstitch.identify', { kind: SpanKind.INTERNAL }, context.active()), instruments.results),
    attempt: (start, identifies) => new AttemptSpan(attemptSpan(tracer, start, identifies), start, instruments.duration),
    lanes: (read) => observeLanes(meter, instruments, read),
  }
}

export type { AttemptEnd, AttemptStart, AttemptTrace, IdentifyTrace, LaneState, Telemetry, TelemetryResult } from './telemetry.js'
