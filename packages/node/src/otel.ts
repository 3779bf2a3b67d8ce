// @idstitch/node/otel: idstitch's telemetry hooks on OpenTelemetry's API, apart from every other entry, so
// that only an app that imports it loads @opentelemetry/api (an optional peer, as OpenTelemetry asks of
// libraries). No SDK and no exporter are bundled: the app's registered providers receive the data.
import { context, type Context, type Counter, type Histogram, isSpanContextValid, type Link, type Meter, metrics, type MeterProvider, type Span, SpanKind, SpanStatusCode, trace, type Tracer, type TracerProvider, ValueType } from '@opentelemetry/api'
import type { AttemptEnd, AttemptStart, AttemptTrace, IdentifyTrace, JobEnd, JobStart, JobTrace, LaneState, QueueState, Telemetry, TelemetryResult } from './telemetry.js'
import { contextOf, traceContextOf } from './trace-context.js'

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
  // The buckets OpenTelemetry's HTTP conventions advise for `http.client.request.duration` (the SDK's default ones are for milliseconds).
  duration: meter.createHistogram('idstitch.delivery.duration', { description: 'Duration of delivery attempts to a provider', unit: 's', valueType: ValueType.DOUBLE, advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] } }),
  lanes: [
    meter.createObservableGauge('idstitch.lane.queued', { description: 'Identifies waiting in a provider lane', unit: '{identify}' }),
    meter.createObservableGauge('idstitch.lane.in_flight', { description: 'Requests to a provider on the wire', unit: '{request}' }),
    meter.createObservableGauge('idstitch.circuit.state', { description: "A provider's circuit breaker: 1 open (no request is sent), 0 closed", unit: '1' }),
  ] as const,
  jobResults: meter.createCounter('idstitch.queue.job.results', { description: "Queue workers' jobs, by provider and outcome (delivered, duplicate, retry, paused, dead_letter)", unit: '{job}' }),
  queueJobs: meter.createObservableGauge('idstitch.queue.jobs', { description: 'Jobs in Redis by provider and state (failed: the dead letters)', unit: '{job}' }),
})
type Instruments = ReturnType<typeof instrumentsOf>

/**
 * Each attribute set, made once: a client reports a handful (providers × statuses × codes), and without a
 * registered SDK building a new object per result was most of what telemetry cost (bench §2).
 */
const attributeSets = new Map<string, Readonly<Record<string, string | number>>>()
const attributeSet = (key: string, make: () => Record<string, string | number>): Readonly<Record<string, string | number>> => {
  let attributes = attributeSets.get(key)
  if (!attributes) {
    attributes = Object.freeze(make())
    if (attributeSets.size >= 1_024) attributeSets.clear()
    attributeSets.set(key, attributes)
  }
  return attributes
}

/** A span the attempts start under: an identify's, or a queue job's. */
abstract class ParentSpan {
  constructor(readonly span: Span) {}
}

/** The span of one identify: a child of the caller's active span. */
class IdentifySpan extends ParentSpan implements IdentifyTrace {
  constructor(
    span: Span,
    private readonly results: Counter,
  ) {
    super(span)
  }

  end(results: readonly TelemetryResult[]): void {
    const { span } = this
    // A span nothing records (no SDK, or not sampled) is told nothing but its end.
    const recording = span.isRecording()
    let failed = 0
    for (const { provider, status, code } of results) {
      if (status === 'failed' || status === 'invalid') failed++
      const attributes = attributeSet(`r\u0000${provider}\u0000${status}\u0000${code ?? ''}`, () => ({ 'idstitch.provider.name': provider, 'idstitch.result.status': status, ...(code ? { 'error.type': code } : {}) }))
      this.results.add(1, attributes)
      if (recording) span.addEvent('idstitch.result', attributes)
    }
    if (recording) {
      span.setAttribute('idstitch.providers', results.length)
      if (failed > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${results.length} providers failed or refused the identify` })
    }
    span.end()
  }
}

/** The span of a queue worker's job (a consumer span): a child of the identify's, from the trace context the job carries. */
class JobSpan extends ParentSpan implements JobTrace {
  constructor(
    span: Span,
    private readonly start: JobStart,
    private readonly results: Counter,
  ) {
    super(span)
  }

  end({ outcome, code, pausedMs }: JobEnd): void {
    const { span } = this
    const attributes = { 'idstitch.provider.name': this.start.provider, 'idstitch.provider.kind': this.start.kind, 'idstitch.job.outcome': outcome, ...(code ? { 'error.type': code } : {}) }
    span.setAttributes(attributes)
    if (pausedMs !== undefined) span.addEvent('idstitch.retry_after.pause', { 'idstitch.pause.duration_ms': pausedMs })
    if (outcome === 'retry' || outcome === 'dead_letter') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome })
    span.end()
    this.results.add(1, attributes)
  }
}

/** A job's span: a consumer span under the identify that queued it (OpenTelemetry's messaging conventions; the destination is the provider's queue, named for it). */
const jobSpan = (tracer: Tracer, start: JobStart, carried: Parameters<NonNullable<Telemetry['job']>>[1]): Span =>
  tracer.startSpan(
    `process ${start.provider}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': start.provider,
        'idstitch.provider.name': start.provider,
        'idstitch.provider.kind': start.kind,
        'idstitch.attempt': start.attempt,
      },
    },
    contextOf(carried, context.active()),
  )

/** The span of one attempt (an HTTP client span), and its duration. */
class AttemptSpan implements AttemptTrace {
  readonly #started = performance.now()
  constructor(
    private readonly span: Span,
    private readonly start: AttemptStart,
    private readonly duration: Histogram,
  ) {}

  end(end: AttemptEnd): void {
    const { span, start } = this
    if (span.isRecording()) recordEnd(span, end)
    span.end()
    const key = `d\u0000${start.provider}\u0000${start.kind}\u0000${end.status}\u0000${end.httpStatus ?? ''}`
    this.duration.record(
      (performance.now() - this.#started) / 1000,
      attributeSet(key, () => ({
        'idstitch.provider.name': start.provider,
        'idstitch.provider.kind': start.kind,
        'idstitch.result.status': end.status,
        ...(end.httpStatus !== undefined ? { 'http.response.status_code': end.httpStatus } : {}),
      })),
    )
  }
}

/** What an attempt's end tells its (recording) span: the answer, the error, and what the lane did next. */
const recordEnd = (span: Span, end: AttemptEnd): void => {
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
  if (end.circuitClosed) span.addEvent('idstitch.circuit.close')
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
const attemptSpan = (tracer: Tracer, start: AttemptStart, identifies: readonly (IdentifyTrace | JobTrace | undefined)[]): Span => {
  // A parent with no valid context (no SDK registered) is no parent: setting it would copy the context for nothing.
  const parents = identifies.filter((identify): identify is (IdentifyTrace | JobTrace) & ParentSpan => identify instanceof ParentSpan && isSpanContextValid(identify.span.spanContext()))
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

/** Reports every queue's jobs by state when the meter collects (it waits for Redis's answer). */
const observeQueues = (meter: Meter, instruments: Instruments, read: () => Promise<readonly QueueState[]>): void => {
  const gauge = instruments.queueJobs
  meter.addBatchObservableCallback(async (result) => {
    for (const queue of await read()) {
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) {
        result.observe(gauge, queue[state], { 'idstitch.provider.name': queue.provider, 'idstitch.provider.kind': queue.kind, 'idstitch.job.state': state })
      }
    }
  }, [gauge])
}

/**
 * idstitch's traces and metrics, through OpenTelemetry's API: a span per identify (a child of the request's
 * active span), an HTTP client span per delivery attempt with its retries, `Retry-After` pauses and circuit
 * openings as events, a counter of results by provider, status and code, a histogram of attempt durations, and
 * each provider lane's queued and in-flight counts and circuit state. Given to `@idstitch/queue`, the queue
 * stores each identify's W3C trace context in its jobs, and a worker's consumer span per job continues that
 * trace; workers count their jobs by outcome and report the jobs in Redis by state. Without a registered tracer
 * or meter provider, OpenTelemetry's API does nothing, and neither does this. No attribute, event or metric
 * holds a user id, anonymous id, trait, address, cookie, key, token or query string.
 *
 * @example
 * import { openTelemetry } from '@idstitch/node/otel'
 * const idstitch = createClient({ providers, telemetry: openTelemetry() })
 * // With @idstitch/queue: the same option on createQueue and createWorker.
 */
export const openTelemetry = (options: OpenTelemetryOptions = {}): Telemetry => {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, __IDSTITCH_VERSION__)
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, __IDSTITCH_VERSION__)
  const instruments = instrumentsOf(meter)
  return {
    identify: () => new IdentifySpan(tracer.startSpan('idstitch.identify', { kind: SpanKind.INTERNAL }, context.active()), instruments.results),
    attempt: (start, identifies) => new AttemptSpan(attemptSpan(tracer, start, identifies), start, instruments.duration),
    lanes: (read) => observeLanes(meter, instruments, read),
    traceContext: (identify) => (identify instanceof ParentSpan ? traceContextOf(identify.span.spanContext()) : undefined),
    job: (start, carried) => new JobSpan(jobSpan(tracer, start, carried), start, instruments.jobResults),
    queues: (read) => observeQueues(meter, instruments, read),
  }
}

export type { AttemptEnd, AttemptStart, AttemptTrace, IdentifyTrace, JobEnd, JobStart, JobTrace, LaneState, QueueState, Telemetry, TelemetryResult, TraceContext } from './telemetry.js'
