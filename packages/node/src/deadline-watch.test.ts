import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDeadlineWatch } from './deadline-watch.js'

describe('createDeadlineWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('never calls a watcher cancelled in time, and clears the timer with its last watcher', async () => {
    const watch = createDeadlineWatch()
    const late = vi.fn()
    const cancel = watch({ at: Date.now() + 5_000, ms: 5_000 }, late)
    expect(vi.getTimerCount()).toBe(1)
    cancel()
    expect(vi.getTimerCount()).toBe(0)
    cancel()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(late).not.toHaveBeenCalled()
  })

  it('tells every watcher of a deadline that passed, with one timer for them all', async () => {
    const watch = createDeadlineWatch()
    const deadline = { at: Date.now() + 5_000, ms: 5_000 }
    const late = [vi.fn(), vi.fn(), vi.fn()]
    for (const watcher of late) watch(deadline, watcher)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(late[0]).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    for (const watcher of late) expect(watcher).toHaveBeenCalledOnce()
    expect(vi.getTimerCount()).toBe(0)
  })

  it("waits at most the deadline's ms for one made on a clock ahead of the wall clock (the wall clock stepped back)", async () => {
    const watch = createDeadlineWatch()
    const late = vi.fn()
    watch({ at: Date.now() + 3_600_000 + 5_000, ms: 5_000 }, late)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(late).toHaveBeenCalledOnce()
  })

  it('keeps a deadline while one of its watchers still waits', async () => {
    const watch = createDeadlineWatch()
    const deadline = { at: Date.now() + 100, ms: 100 }
    const answered = vi.fn()
    const slow = vi.fn()
    const cancel = watch(deadline, answered)
    watch(deadline, slow)
    cancel()
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(slow).toHaveBeenCalledOnce()
    expect(answered).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('gives each deadline its own timer, and none to no deadline', async () => {
    const watch = createDeadlineWatch()
    const [first, second, unbounded] = [vi.fn(), vi.fn(), vi.fn()]
    watch({ at: Date.now() + 100, ms: 100 }, first)
    watch({ at: Date.now() + 101, ms: 101 }, second)
    watch({ at: Infinity, ms: Infinity }, unbounded)()
    expect(vi.getTimerCount()).toBe(2)
    await vi.advanceTimersByTimeAsync(100)
    expect(first).toHaveBeenCalledOnce()
    expect(second).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(second).toHaveBeenCalledOnce()
    expect(unbounded).not.toHaveBeenCalled()
  })

  it('waits graceMs past the deadline, with a timer of its own beside the deadline itself', async () => {
    const watch = createDeadlineWatch()
    const deadline = { at: Date.now() + 100, ms: 100 }
    const [onTime, graced] = [vi.fn(), vi.fn()]
    watch(deadline, onTime)
    const cancel = watch(deadline, graced, 1_000)
    expect(vi.getTimerCount()).toBe(2)
    await vi.advanceTimersByTimeAsync(100)
    expect(onTime).toHaveBeenCalledOnce()
    expect(graced).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(999)
    expect(graced).not.toHaveBeenCalled()
    cancel()
    expect(vi.getTimerCount()).toBe(0)
    watch(deadline, graced, 1_000)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(graced).toHaveBeenCalledOnce()
  })
})
