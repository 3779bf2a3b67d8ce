import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDeadlines, DeadlineError } from './deadline.js'

const never = () => new Promise<never>(() => {})

describe('createDeadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers with the promise when it settles first, and clears the timer then', async () => {
    const byDeadline = createDeadlines()
    const answer = byDeadline(Promise.resolve('added'), { at: Date.now() + 5_000, ms: 5_000 })
    await expect(answer).resolves.toBe('added')
    expect(vi.getTimerCount()).toBe(0)
    await expect(byDeadline(Promise.reject(new Error('OOM command not allowed')), { at: Date.now() + 5_000, ms: 5_000 })).rejects.toThrow('OOM')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects every promise of a deadline that passed, with one timer for them all', async () => {
    const byDeadline = createDeadlines()
    const deadline = { at: Date.now() + 5_000, ms: 5_000 }
    const late = [byDeadline(never(), deadline), byDeadline(never(), deadline), byDeadline(never(), deadline)]
    const settled = Promise.allSettled(late)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    for (const result of await settled) expect(result).toMatchObject({ status: 'rejected', reason: expect.any(DeadlineError) })
    expect((await settled)[0]).toMatchObject({ reason: { message: 'no answer within 5000 ms' } })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('keeps a deadline while one of its promises still waits, and ignores what a late promise does', async () => {
    const byDeadline = createDeadlines()
    const deadline = { at: Date.now() + 100, ms: 100 }
    let fail: (error: Error) => void = () => {}
    const slow = new Promise<never>((_, reject) => {
      fail = reject
    })
    await expect(byDeadline(Promise.resolve(1), deadline)).resolves.toBe(1)
    const waiting = expect(byDeadline(slow, deadline)).rejects.toBeInstanceOf(DeadlineError)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(100)
    await waiting
    fail(new Error('too late'))
    await vi.advanceTimersByTimeAsync(0)
  })

  it('gives each deadline its own timer, and none to no deadline', async () => {
    const byDeadline = createDeadlines()
    const first = byDeadline(never(), { at: Date.now() + 100, ms: 100 })
    const second = byDeadline(never(), { at: Date.now() + 101, ms: 100 })
    const unbounded = never()
    expect(byDeadline(unbounded, { at: Infinity, ms: Infinity })).toBe(unbounded)
    expect(vi.getTimerCount()).toBe(2)
    first.catch(() => {})
    second.catch(() => {})
    await vi.advanceTimersByTimeAsync(100)
    await expect(first).rejects.toBeInstanceOf(DeadlineError)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await expect(second).rejects.toBeInstanceOf(DeadlineError)
  })
})
