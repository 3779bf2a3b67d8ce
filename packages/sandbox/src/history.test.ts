import { describe, expect, it } from 'vitest'
import { appendKept } from './history.js'

describe('appendKept()', () => {
  it('never keeps more than `keep`, forgets the oldest first, an eighth at a time', () => {
    const list: number[] = []
    const lengths: number[] = []
    for (let item = 0; item < 100; item++) {
      appendKept(list, item, 16)
      lengths.push(list.length)
    }
    expect(Math.max(...lengths)).toBe(16)
    expect(Math.min(...lengths.slice(16))).toBe(14)
    expect(list.at(-1)).toBe(99)
    expect(list).toEqual(Array.from({ length: list.length }, (_, index) => 100 - list.length + index))
  })

  it('keeps everything when `keep` is Infinity, and the newest one when it is 1', () => {
    const all: number[] = []
    const one: number[] = []
    for (let item = 0; item < 50; item++) {
      appendKept(all, item, Number.POSITIVE_INFINITY)
      appendKept(one, item, 1)
    }
    expect(all).toHaveLength(50)
    expect(one).toEqual([49])
  })
})
