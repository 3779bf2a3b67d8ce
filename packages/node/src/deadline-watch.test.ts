import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDeadlineWatch } from './deadline-watch.js'

describe('createDeadlineWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A watch that records which watchers were late, and for which deadline's ms. */
  const recording = (graceMs?: number) => {
    const late: [string, number][] = []
    return { late, watch: createDeadlineWatch<string>((watcher, { ms }) => late.push([watcher, ms]), graceMs) }
  }

  it('never tells a watcher deleted in time, and clears the timer with its last watcher', async () => {
    const { late, watch } = recording()
    const deadline = { at: Date.now() + 5_000, ms: 5_000 }
    watch.add(deadline, 'a')
    expect(vi.getTimerCount()).toBe(1)
    watch.delete(deadline, 'a')
    expect(vi.getTimerCount()).toBe(0)
    watch.delete(deadline, 'a')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(late).toEqual([])
  })

  it('tells every watcher of a deadline that passed, with one timer for them all', async () => {
    const { late, watch } = recording()
    const deadline = { at: Date.now() + 5_000, ms: 5_000 }
    for (const watcher of ['a', 'b', 'c']) watch.add(deadline, watcher)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(late).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(late).toEqual([
      ['a', 5_000],
      ['b', 5_000],
      ['c', 5_000],
    ])
    expect(vi.getTimerCount()).toBe(0)
    // Deleting one of them afterwards changes nothing.
    watch.delete(deadline, 'a')
  })

  it("waits at most the deadline's ms for one made on a clock ahead of the wall clock (the wall clock stepped back)", async () => {
    const { late, watch } = recording()
    watch.add({ at: Date.now() + 3_600_000 + 5_000, ms: 5_000 }, 'a')
    await vi.advanceTimersByTimeAsync(5_000)
    expect(late).toEqual([['a', 5_000]])
  })

  it('keeps a deadline while one of its watchers still waits', async () => {
    const { late, watch } = recording()
    const deadline = { at: Date.now() + 100, ms: 100 }
    watch.add(deadline, 'answered')
    watch.add(deadline, 'slow')
    watch.delete(deadline, 'answered')
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(100)
    expect(late).toEqual([['slow', 100]])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('gives each deadline its own timer, and none to no deadline', async () => {
    const { late, watch } = recording()
    watch.add({ at: Date.now() + 100, ms: 100 }, 'first')
    watch.add({ at: Date.now() + 101, ms: 101 }, 'second')
    watch.add({ at: Infinity, ms: Infinity }, 'unbounded')
    expect(vi.getTimerCount()).toBe(2)
    await vi.advanceTimersByTimeAsync(100)
    expect(late).toEqual([['first', 100]])
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(late).toEqual([
      ['first', 100],
      ['second', 101],
    ])
  })

  it('waits graceMs past the deadline', async () => {
    const { late, watch } = recording(1_000)
    const deadline = { at: Date.now() + 100, ms: 100 }
    watch.add(deadline, 'a')
    await vi.advanceTimersByTimeAsync(1_099)
    expect(late).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(late).toEqual([['a', 100]])
  })
})
