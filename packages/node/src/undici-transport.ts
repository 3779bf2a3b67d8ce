import type { ProviderRequest, ProviderResponse } from '@idstitch/core'
import { checkTransportOptions, serializeBody } from '@idstitch/core/internal'
import { Agent, type Dispatcher } from 'undici'
import { boundAttempt, capOf, createTargets, flattenHeaders, parseBody, responseTooLarge, type AttemptLimits, type Transport } from './transport.js'

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /** The most connections to each provider's origin. Default 8, as the `node:http` transport. */
  connections?: number
}

/**
 * One attempt, as undici's dispatcher reports it: it settles the attempt's
 * promise once, with the whole answer or with why none came. One object per
 * request, holding its own state: no promise, stream or AbortSignal of its own.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  /** The timer's error, once it ended the attempt: the one to report, whatever undici says next. */
  private ended: Error | undefined
  private status = 0
  private headers: Record<string, string> = {}
  private readonly chunks: Buffer[] = []
  private size = 0
  private readonly timer: ReturnType<typeof setTimeout>
  /** The most bytes of the body to read (undici decompresses nothing). */
  private readonly cap: number

  constructor(
    limits: AttemptLimits,
    private readonly resolve: (response: ProviderResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.cap = capOf(limits)
    this.timer = boundAttempt(limits, (error) => this.end(error))
  }

  /** Ends the attempt now; a request still waiting for a free connection is aborted before it is written. */
  private end(error: Error): void {
    clearTimeout(this.timer)
    this.ended = error
    this.controller?.abort(error)
    this.reject(error)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.ended) controller.abort(this.ended)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode
    this.headers = flattenHeaders(headers)
    if (Number(this.headers['content-length']) > this.cap) this.end(responseTooLarge(this.cap))
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.ended) return
    this.size += chunk.length
    if (this.size > this.cap) this.end(responseTooLarge(this.cap))
    else this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.ended) return
    clearTimeout(this.timer)
    const text = Buffer.concat(this.chunks).toString('utf8')
    this.resolve({ status: this.status, headers: this.headers, body: parseBody(text, this.headers['content-type'] ?? null) })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    clearTimeout(this.timer)
    this.reject(this.ended ?? error)
  }
}

/**
 * An opt-in Node transport over [undici](https://undici.nodejs.org), Node's
 * own HTTP/1.1 client, which you install beside idstitch (`npm install
 * undici`). In the same benchmark an identify sent over it costs about two
 * thirds of the CPU it costs over the default `node:http` transport
 * (bench/README.md, §2), for apps that send many identifies. It is not the
 * default: importing undici takes 120–140 ms there (§3), which every cold
 * start would pay. Import it where your server starts, so that this load is
 * paid there and never inside a request.
 *
 * Each attempt is bounded by one timer (`timeoutMs` or the deadline, whichever
 * comes first), as with the default transport; idle connections close after
 * 30 s, or a second before the provider's `Keep-Alive: timeout=` hint.
 *
 * @example
 * import { createClient } from '@idstitch/node'
 * import { createUndiciTransport } from '@idstitch/node/undici'
 *
 * const idstitch = createClient({ transport: createUndiciTransport(), providers: [...] })
 *
 * @throws ConfigError when `connections` is not an integer >= 1.
 */
export const createUndiciTransport = (options: UndiciTransportOptions = {}): Transport => {
  // Checked with zod (in @idstitch/core), as every option; `connections` defaults to 8.
  const { connections } = checkTransportOptions(options)
  const agent = new Agent({ connections, keepAliveTimeout: 30_000, keepAliveTimeoutThreshold: 1_000 })
  const targetOf = createTargets()
  return {
    bounded: true,
    send(request: ProviderRequest, limits: AttemptLimits): Promise<ProviderResponse> {
      return new Promise((resolve, reject) => {
        const target = targetOf(request.url)
        const exchange = new Exchange(limits, resolve, reject)
        agent.dispatch({ origin: target.origin, path: target.path, method: request.method, headers: request.headers, body: serializeBody(request.body) }, exchange)
      })
    },
    async close() {
      await agent.close()
    },
  }
}
