import { explained, refusesCredentials, type RedisClient } from './redis.js'

/**
 * Whether a Redis client has answered yet. BullMQ's objects wait for their connection's first answer without
 * bound: while Redis has never been reachable, each add waits in memory (and goes to Redis whenever it comes,
 * long after its identify failed), a count never returns, and a worker's `close()` never resolves
 * (bullmq#4656). Once the client has answered, ioredis's own retry limit applies to every command, through
 * later outages too. So idstitch asks this before it hands BullMQ anything.
 */
export interface FirstAnswer {
  /** True once the client has answered; it stays true through later outages. */
  readonly answered: boolean
  /**
   * Resolves once the client has answered (at once if it has). While it never has, rejects with the
   * connection's next error (every reconnection attempt that fails has one), when it is closed, or after
   * {@link FIRST_ANSWER_WAIT_MS} without either (a server that takes the connection and says nothing). Every
   * caller shares one wait, so that many identifies add no listener each.
   */
  wait(): Promise<void>
  /** Calls `open` when the client first answers (at once if it has); returns how to call that off. */
  whenAnswered(open: () => void): () => void
  /**
   * Resolves with the connection's next error that says Redis refused its credentials, while the client has
   * never answered; with `undefined` once it answers (at once if it has) or when it is closed. Other errors (an
   * outage) it lets pass: the client retries them.
   */
  refusal(): Promise<Error | undefined>
}

/** The longest one wait for a first answer lasts: ioredis's own default `connectTimeout`. */
export const FIRST_ANSWER_WAIT_MS = 10_000

/** Follows `redis` from now on: call it before the client can have answered, right after creating it. */
export const firstAnswerOf = (redis: RedisClient): FirstAnswer => {
  let answered = redis.status === 'ready'
  if (!answered) redis.once('ready', () => (answered = true))
  // A client made with lazyConnect waits for a first command: BullMQ connects it, and so does this.
  if (redis.status === 'wait') redis.connect().catch(() => {})
  let waiting: Promise<void> | undefined
  const next = () =>
    new Promise<void>((resolve, reject) => {
      /** Settles the wait with `outcome`, leaving no listener or timer behind. */
      const settle = (outcome: () => void) => {
        clearTimeout(timer)
        redis.off('ready', ready).off('error', failed).off('end', ended)
        outcome()
      }
      const ready = () => settle(resolve)
      const failed = (error: Error) => settle(() => reject(explained(error)))
      const ended = () => settle(() => reject(new Error('the connection is closed')))
      const timer = setTimeout(() => failed(new Error(`no answer within ${FIRST_ANSWER_WAIT_MS} ms`)), FIRST_ANSWER_WAIT_MS)
      timer.unref?.()
      redis.on('ready', ready).on('error', failed).on('end', ended)
    })
  return {
    get answered() {
      return answered
    },
    wait() {
      if (answered) return Promise.resolve()
      if (waiting === undefined) {
        const pending = next()
        const clear = () => void (waiting = undefined)
        pending.then(clear, clear)
        waiting = pending
      }
      return waiting
    },
    refusal: () => (answered ? Promise.resolve(undefined) : refusalOf(redis)),
    whenAnswered(open) {
      if (answered) {
        open()
        return () => {}
      }
      redis.once('ready', open)
      return () => void redis.off('ready', open)
    },
  }
}

/** The next error of `redis` that refuses its credentials; `undefined` once it answers or ends. */
const refusalOf = (redis: RedisClient) =>
  new Promise<Error | undefined>((resolve) => {
    const settle = (outcome: Error | undefined) => {
      redis.off('ready', answered).off('error', failed).off('end', answered)
      resolve(outcome)
    }
    const answered = () => settle(undefined)
    const failed = (error: Error) => {
      if (refusesCredentials(error)) settle(explained(error))
    }
    redis.on('ready', answered).on('error', failed).on('end', answered)
  })
