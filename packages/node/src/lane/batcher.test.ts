import { describe, expect, it } from 'vitest'
import { createBatcher } from './batcher.js'
import type { Job } from './job.js'

const job = (item: unknown, at = Number.POSITIVE_INFINITY): Job => ({ item, deadline: { at, ms: 1_000 }, listener: { delivered: () => {} }, slot: 0 })

describe('the batcher', () => {
  it('takes one job a request for a provider that does not batch', () => {
    const batcher = createBatcher(undefined)
    batcher.push(job('a'))
    batcher.push(job('b'))
    expect(batcher.take().map((taken) => taken.item)).toEqual(['a'])
    expect(batcher.size).toBe(1)
  })

  it('fills a batch up to its item and byte limits, in order, measuring what the adapter did not', () => {
    const batcher = createBatcher({ maxItems: 3, maxBytes: 64 + 10 + 1 + 10 })
    for (const item of ['12345678', '12345678', '12345678', '1']) batcher.push(job(item))
    // Each item is 10 bytes of JSON: the third would pass maxBytes.
    expect(batcher.take().map((taken) => taken.bytes)).toEqual([10, 10])
    batcher.push({ ...job('x'), bytes: 1 })
    expect(batcher.take().map((taken) => taken.item)).toEqual(['12345678', '1', 'x'])
    expect(batcher.size).toBe(0)
  })

  it('gives up the jobs at its head that are due, and tells the soonest deadline', () => {
    const batcher = createBatcher(undefined)
    expect(batcher.nextDeadline()).toBe(Number.POSITIVE_INFINITY)
    batcher.push(job('a', 100))
    batcher.push(job('b', 200))
    expect(batcher.nextDeadline()).toBe(100)
    expect(batcher.takeDue(99)).toBeUndefined()
    expect(batcher.takeDue(150)?.item).toBe('a')
    expect(batcher.takeDue(150)).toBeUndefined()
    expect(batcher.takeDue(Number.POSITIVE_INFINITY)?.item).toBe('b')
    expect(batcher.takeDue(Number.POSITIVE_INFINITY)).toBeUndefined()
  })
})
