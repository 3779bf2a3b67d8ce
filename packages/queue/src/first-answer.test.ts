import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { FIRST_ANSWER_WAIT_MS, firstAnswerOf } from './first-answer.js'
import type { RedisClient } from './redis.js'

/** A client's events and status, as ioredis emits and sets them. */
const client = (status = 'connecting') => Object.assign(new EventEmitter(), { status }) as unknown as RedisClient & EventEmitter
const listeners = (redis: EventEmitter) => ['ready', 'error', 'end'].map((event) => redis.listenerCount(event))

describe("a Redis client's first answer", () => {
  it('has it at once from a client that is ready, and opens at once', async () => {
    const first = firstAnswerOf(client('ready'))
    const open = vi.fn()
    expect(first.answered).toBe(true)
    await expect(first.wait()).resolves.toBeUndefined()
    first.whenAnswered(open)
    expect(open).toHaveBeenCalledTimes(1)
  })

  it("rejects every waiter with the connection's next error while it never answered, with one set of listeners, then waits again", async () => {
    const redis = client()
    const first = firstAnswerOf(redis)
    const [readyBefore = 0, ...rest] = listeners(redis)
    const before = [readyBefore, ...rest]
    const waits = Array.from({ length: 50 }, () => first.wait())
    expect(listeners(redis)).toEqual([readyBefore + 1, 1, 1])
    redis.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'))
    for (const wait of waits) await expect(wait).rejects.toThrow('ECONNREFUSED')
    expect(listeners(redis)).toEqual(before)
    // The next attempt: a new wait, which Redis's answer resolves, and after which it is answered for good.
    const next = first.wait()
    redis.emit('ready')
    await expect(next).resolves.toBeUndefined()
    expect(first.answered).toBe(true)
    redis.emit('end')
    expect(first.answered).toBe(true)
    await expect(first.wait()).resolves.toBeUndefined()
  })

  it('rejects after ten seconds without an answer or an error (a server that takes the connection and says nothing)', async () => {
    vi.useFakeTimers()
    try {
      const redis = client()
      const wait = firstAnswerOf(redis).wait()
      const outcome = wait.then(() => 'answered', (error: Error) => error.message)
      await vi.advanceTimersByTimeAsync(FIRST_ANSWER_WAIT_MS - 1)
      expect(vi.getTimerCount()).toBe(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(await outcome).toBe('no answer within 10000 ms')
      expect(listeners(redis)[1]).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('rejects when the connection is closed before it answered', async () => {
    const redis = client()
    const wait = firstAnswerOf(redis).wait()
    redis.emit('end')
    await expect(wait).rejects.toThrow('the connection is closed')
  })

  it('opens what waits for the first answer once, and not at all once called off', () => {
    const redis = client()
    const first = firstAnswerOf(redis)
    const open = vi.fn()
    const never = vi.fn()
    first.whenAnswered(open)
    first.whenAnswered(never)()
    redis.emit('ready')
    redis.emit('ready')
    expect(open).toHaveBeenCalledTimes(1)
    expect(never).not.toHaveBeenCalled()
  })

  it('reports a refusal of the credentials, lets an outage pass, and stops listening once answered or closed', async () => {
    const redis = client()
    const first = firstAnswerOf(redis)
    const before = listeners(redis)
    const refusal = first.refusal()
    redis.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'))
    redis.emit('error', Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), { name: 'ReplyError' }))
    await expect(refusal).resolves.toMatchObject({ message: expect.stringMatching(/^WRONGPASS/) })
    expect(listeners(redis)).toEqual(before)
    for (const words of ['NOAUTH Authentication required.', 'ERR invalid password', 'NOPERM this user has no permissions to run the \'info\' command']) {
      const next = first.refusal()
      redis.emit('error', new Error(words))
      await expect(next).resolves.toMatchObject({ message: words })
    }
    // A Cluster's own error says only that it could not read the slots; the node's error behind it says why.
    const cluster = first.refusal()
    const wait = first.wait()
    redis.emit('error', Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: new Error('WRONGPASS invalid username-password pair or user is disabled.') }))
    await expect(cluster).resolves.toMatchObject({ message: 'Failed to refresh slots cache. (WRONGPASS invalid username-password pair or user is disabled.)' })
    await expect(wait).rejects.toThrow('Failed to refresh slots cache. (WRONGPASS')
    const answered = first.refusal()
    redis.emit('ready')
    await expect(answered).resolves.toBeUndefined()
    expect(listeners(redis)).toEqual([0, 0, 0])
    await expect(first.refusal()).resolves.toBeUndefined()
    const other = client()
    const ended = firstAnswerOf(other).refusal()
    other.emit('end')
    await expect(ended).resolves.toBeUndefined()
  })
})
