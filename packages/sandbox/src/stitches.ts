import type { AcceptedIdentify } from './types.js'

/** For each provider that accepted an identify of a user with an anonymous id: those anonymous ids, first seen first. */
export type Stitches = Record<string, string[]>

/** What `identifies` stitched to `userId`, per provider. */
export const stitchesOf = (identifies: readonly AcceptedIdentify[], userId: string): Stitches => {
  const stitches: Stitches = {}
  for (const { provider, userId: user, anonymousId } of identifies) {
    if (user !== userId || anonymousId === undefined) continue
    const ids = (stitches[provider] ??= [])
    if (!ids.includes(anonymousId)) ids.push(anonymousId)
  }
  return stitches
}

/** Options of `waitForStitch()`. */
export interface WaitForStitchOptions {
  /** Wait for this provider's stitch; by default, any provider's. */
  provider?: string
  /** Default 10,000 ms. */
  timeoutMs?: number
}

/** Whether `stitches` has what the wait is for. */
const satisfied = (stitches: Stitches, provider: string | undefined): boolean =>
  provider === undefined ? Object.keys(stitches).length > 0 : (stitches[provider]?.length ?? 0) > 0

/**
 * Resolves with the user's stitches once one arrives (an identify a login left to
 * `after()` or a queue arrives later than the login's response); rejects after
 * `timeoutMs`, naming the user, the provider and what did arrive.
 */
export const waitForStitchIn = (
  identifies: readonly AcceptedIdentify[],
  listeners: Set<() => void>,
  userId: string,
  { provider, timeoutMs = 10_000 }: WaitForStitchOptions = {},
): Promise<Stitches> =>
  new Promise((resolve, reject) => {
    const check = () => {
      const stitches = stitchesOf(identifies, userId)
      if (!satisfied(stitches, provider)) return false
      done()
      resolve(stitches)
      return true
    }
    const timer = setTimeout(() => {
      done()
      const arrived = identifies.filter((identify) => identify.userId === userId).map((identify) => identify.provider)
      reject(new Error(`No ${provider ?? 'provider'} stitched user ${JSON.stringify(userId)} to an anonymous id within ${timeoutMs} ms (identifies of this user accepted: ${arrived.length ? arrived.join(', ') : 'none'})`))
    }, timeoutMs)
    const listener = () => void check()
    const done = () => {
      clearTimeout(timer)
      listeners.delete(listener)
    }
    listeners.add(listener)
    check()
  })
