import { defineProvider, joinUrl, optionalBaseUrl, requireString, type FieldIssue } from '../provider.js'
import { isEmail } from '../email.js'

/** Options of the {@link dfend} provider. */
export interface DfendOptions {
  /** The secret API key (sent as `x-api-key`). Publishable keys cannot call `/identity`. */
  apiKey: string
  /** Update an existing Identity with this data when there is one. Defaults to `true`. */
  merge?: boolean
  /** Defaults to `https://api.dfend.app`. */
  baseUrl?: string
}

/** The body of `POST /identity`. */
export interface DfendIdentifyPayload {
  userId: string
  email?: string
  phone?: string
  merge: boolean
  metadata?: Record<string, unknown>
}

/** DFend's answer, returned as the result's `data`: store `id` with your user. */
export interface DfendIdentity {
  id: string
  created: boolean
  merged: boolean
}

interface Config {
  apiKey: string
  url: string
  merge: boolean
}

/** E.164 as DFend documents it. */
const E164 = /^\+[1-9]\d{1,14}$/

/**
 * DFend (https://dfend.app): registers an Identity for `userId`. `traits.email`
 * (a valid address) and `traits.phone` (E.164, `+14155550123`) are DFend's own
 * fields; every other trait goes into `metadata`. The answer `{ id, created,
 * merged }` is the result's `data`: DFend asks apps to store `id`. Server-side only.
 *
 * @example
 * dfend({ apiKey: process.env.DFEND_SECRET_KEY! })
 */
export const dfend = /* @__PURE__ */ defineProvider<DfendOptions, DfendIdentifyPayload, Config>({
  name: 'dfend',
  answersJson: true,
  options: ['apiKey', 'merge', 'baseUrl'],
  configure(options, fail) {
    const apiKey = requireString(fail, 'apiKey', options.apiKey)
    if (options.merge !== undefined && typeof options.merge !== 'boolean') fail('merge', 'must be a boolean')
    return {
      apiKey,
      merge: options.merge ?? true,
      url: joinUrl(optionalBaseUrl(fail, options.baseUrl, 'https://api.dfend.app'), '/identity'),
    }
  },
  secrets: (config) => [config.apiKey],
  prepare(event, config) {
    const { email: mail, phone, ...metadata } = event.traits
    const issues: FieldIssue[] = []
    if (mail !== undefined && !isEmail(mail)) {
      issues.push({ path: 'traits.email', message: 'must be a valid email address for DFend' })
    }
    if (phone !== undefined && !(typeof phone === 'string' && E164.test(phone))) {
      issues.push({ path: 'traits.phone', message: 'must be an E.164 phone number for DFend, like +14155550123' })
    }
    if (issues.length > 0) return { type: 'invalid', issues }
    const item: DfendIdentifyPayload = { userId: event.userId, merge: config.merge }
    if (typeof mail === 'string') item.email = mail
    if (typeof phone === 'string') item.phone = phone
    if (Object.keys(metadata).length > 0) item.metadata = metadata
    return { type: 'item', item }
  },
  request: ([item], config) => ({
    method: 'POST',
    url: config.url,
    headers: { 'x-api-key': config.apiKey, 'content-type': 'application/json' },
    body: item,
  }),
})
