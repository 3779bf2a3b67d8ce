import { messageOf } from '../error-message.js'
import { checkJson } from '../json.js'
import type { IdentifyEvent } from '../message.js'
import { defineProvider, requireUrl, type ProviderRequest } from '../provider.js'

/** Options of the {@link http} provider. */
export interface HttpProviderOptions {
  /** Where to send each identify. */
  url: string
  /** Defaults to `'POST'`. */
  method?: ProviderRequest['method']
  /** Sent with every request. Every value is treated as a secret: redacted from logs, errors and dry runs. */
  headers?: Record<string, string>
  /** Builds the JSON body from the validated event. Return `undefined` to skip the message. */
  body: (event: IdentifyEvent) => unknown
}

interface Config {
  url: string
  method: ProviderRequest['method']
  headers: Record<string, string>
  /** The header values the app configured: any of them may be a credential, whatever its name. */
  configured: string[]
  body: (event: IdentifyEvent) => unknown
}

const PLAIN_HEADERS: ReadonlySet<string> = new Set(['content-type', 'accept', 'accept-encoding', 'content-language', 'user-agent'])

/**
 * The escape hatch for any other backend: your URL, headers and body builder.
 * Success is any 2xx, whose body becomes the result's `data`.
 *
 * @example
 * http({ name: 'crm', url: 'https://crm.example.com/hooks/identify', headers: { authorization: `Bearer ${process.env.CRM_TOKEN}` }, body: (e) => ({ id: e.userId, ...e.traits }) })
 */
export const http = /* @__PURE__ */ defineProvider<HttpProviderOptions, unknown, Config>({
  name: 'http',
  options: ['url', 'method', 'headers', 'body'],
  configure(options, fail) {
    requireUrl(fail, 'url', options.url)
    const method = options.method ?? 'POST'
    if (!['POST', 'PUT', 'PATCH'].includes(method)) fail('method', "must be 'POST', 'PUT' or 'PATCH'")
    if (typeof options.body !== 'function') fail('body', 'must be a function that builds the JSON body from the event')
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value !== 'string') fail(`headers.${name}`, 'must be a string')
      headers[name.toLowerCase()] = value
    }
    // Every configured value but the few headers that describe the content, never a credential.
    const configured = Object.entries(headers).filter(([name]) => !PLAIN_HEADERS.has(name)).map(([, value]) => value)
    headers['content-type'] ??= 'application/json'
    return { url: options.url, method, headers, configured, body: options.body }
  },
  secrets: (config) => config.configured.flatMap((value) => [value, value.replace(/^(Bearer|Basic|Token)\s+/i, '')]),
  prepare(event, config) {
    let body: unknown
    try {
      body = config.body(event)
    } catch (error) {
      return { type: 'invalid', issues: [{ path: 'body', message: `builder threw: ${messageOf(error)}` }] }
    }
    if (body === undefined) return { type: 'skip', reason: 'the body builder returned undefined' }
    const issues = checkJson(body, 'body')
    return issues.length > 0 ? { type: 'invalid', issues } : { type: 'item', item: body }
  },
  request: ([item], config) => ({ method: config.method, url: config.url, headers: { ...config.headers }, body: item }),
})
