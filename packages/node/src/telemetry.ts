// What idstitch tells a tracing and metrics backend as it works. The hooks see providers, HTTP methods,
// hosts, paths, statuses, codes and timings: never a user id, anonymous id, trait, address, cookie, key,
// token or query string. `openTelemetry()` (`@idstitch/node/otel`) implements them with @opentelemetry/api.

/** One provider's result of an identify, as telemetry sees it. */
export interface TelemetryResult {
  provider: string
  status: 'delivered' | 'queued' | 'skipped' | 'invalid' | 'failed'
  /** The error's code, for `failed` and `invalid`. */
  code?: string
}

/** An identify being followed: what its end reports. */
export interface IdentifyTrace {
  /** Every provider's result, once the last is in. */
  end(results: readonly TelemetryResult[]): void
}

/** One delivery attempt starting: a request to a provider, carrying one identify or a batch of them. */
export interface AttemptStart {
  /** The provider's name (unique within a client), and its kind (`pathbound`, …; the name when it has none). */
  provider: string
  kind: string
  method: string
  /** `https://host:port`, no path. */
  origin: string
  /** The request's path, without its query; absent for a provider whose URL is the app's own (`http()`), which may hold a secret. */
  path?: string
  /** 1 for the first attempt of the identify's delivery to this provider. */
  attempt: number
  /** Identifies in the request (more than one when the provider batches). */
  items: number
}

/** How an attempt ended, and what the lane does next. */
export interface AttemptEnd {
  status: 'delivered' | 'failed'
  httpStatus?: number
  /** The error's code, when it failed. */
  code?: string
  /** `retry`: sent again after `retryDelayMs`; `advance`: the next request of a chain (Mixpanel's profile); `finish`: done. */
  next: 'advance' | 'finish' | 'retry'
  retryDelayMs?: number
  /** The provider's `Retry-After` paused every request to it for this long (ms). */
  pausedMs?: number
  /** The provider is refused from now: its circuit opened, or it asked for a wait longer than `maxRetryAfterMs`. */
  refusing?: 'circuit_open' | 'provider_unavailable'
  /** This attempt's success closed the provider's circuit, open since earlier failures: requests flow again. */
  circuitClosed?: true
}

/**
 * An identify's W3C trace context (`traceparent`, and `tracestate` when there is one): what a durable sink
 * stores with its job, and nothing else of the request, so that the worker's spans continue the trace.
 */
export interface TraceContext {
  traceparent: string
  tracestate?: string
}

/** A queue worker takes up a job (`@idstitch/queue`). */
export interface JobStart {
  provider: string
  kind: string
  /** 1 for the job's first attempt. */
  attempt: number
}

/** How a worker's job ended. */
export interface JobEnd {
  /**
   * `delivered`; `duplicate`: skipped, the provider accepted exactly this lately; `retry`: failed, to be tried
   * again after a backoff; `paused`: the provider's `Retry-After` paused every worker, the job waits it out;
   * `dead_letter`: failed for good, kept in the failed set.
   */
  outcome: 'delivered' | 'duplicate' | 'retry' | 'paused' | 'dead_letter'
  /** The error's code, when it failed. */
  code?: string
  /** The `Retry-After` pause (ms), when `paused`. */
  pausedMs?: number
}

/** A worker's job being followed: its attempts start under it. */
export interface JobTrace {
  end(end: JobEnd): void
}

/** One provider's queue in Redis now: its jobs by state (`failed` holds the dead letters). */
export interface QueueState {
  provider: string
  kind: string
  waiting: number
  active: number
  delayed: number
  failed: number
}

/** A delivery attempt being followed. */
export interface AttemptTrace {
  end(end: AttemptEnd): void
}

/**
 * Hooks for tracing and metrics, given to `createClient({ telemetry })`. `openTelemetry()` from
 * `@idstitch/node/otel` is the one most apps want; a hook that throws is ignored, never the host app's failure.
 */
export interface Telemetry {
  /** An identify starts (in the caller's context: a trace's active span is its parent). */
  identify(): IdentifyTrace | undefined
  /**
   * An attempt starts, for the identifies it carries: their traces, as `identify()` returned them, or in a
   * queue worker the jobs' traces, as `job()` returned them.
   */
  attempt(start: AttemptStart, identifies: readonly (IdentifyTrace | JobTrace | undefined)[]): AttemptTrace | undefined
  /** The lane of each provider, to read when metrics are collected: jobs waiting, attempts on the wire, circuit open. */
  lanes?(read: () => readonly LaneState[]): void
  /** The W3C trace context of an identify, for a durable sink to store with its job (`SinkIdentify.traceContext`). */
  traceContext?(identify: IdentifyTrace): TraceContext | undefined
  /** A queue worker takes up a job: its trace continues the one of `context` (what the job stored), when it is valid. */
  job?(start: JobStart, context: TraceContext | undefined): JobTrace | undefined
  /** The queues in Redis, to read when metrics are collected (a queue worker gives it). */
  queues?(read: () => Promise<readonly QueueState[]>): void
}

/** A provider's lane now. */
export interface LaneState {
  provider: string
  kind: string
  queued: number
  inFlight: number
  circuitOpen: boolean
}
