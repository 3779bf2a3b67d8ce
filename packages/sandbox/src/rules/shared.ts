import type { z } from 'zod'
import type { SandboxRequest } from '../types.js'

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

/** `field: message` lines from a zod error, for error envelopes. */
export const details = (error: z.ZodError): { field: string; message: string }[] =>
  error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }))

export const bearer = (request: SandboxRequest): string | undefined => {
  const header = request.headers.authorization
  const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null
  return match?.[1]
}

/** The user name and password of a request authorised with HTTP Basic. */
export const basicAuth = (request: SandboxRequest): { user: string; password: string } | undefined => {
  const match = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))
  if (!match) return undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

export const isJson = (request: SandboxRequest): boolean =>
  String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json') && request.body !== undefined

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const id = (prefix: string, n: number): string => `${prefix}${n.toString(16).padStart(24, '0')}`
