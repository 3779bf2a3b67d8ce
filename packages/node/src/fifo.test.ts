import { describe, expect, it } from 'vitest'
import { createFifo } from './fifo.js'

describe('createFifo', () => {
  it('gives items back in order, across its compactions, and undefined once empty', () => {
    const fifo = createFifo<number>()
    expect(fifo.shift()).toBeUndefined()
    const taken: number[] = []
    // Pushes two for every one taken, then drains: several compactions on the way.
    for (let i = 0; i < 5_000; i++) {
      fifo.push(2 * i)
      fifo.push(2 * i + 1)
      taken.push(fifo.shift() as number)
    }
    expect(fifo.size).toBe(5_000)
    expect(fifo.peek()).toBe(5_000)
    while (fifo.size > 0) taken.push(fifo.shift() as number)
    expect(taken).toEqual(Array.from({ length: 10_000 }, (_, i) => i))
    expect([fifo.peek(), fifo.shift(), fifo.size]).toEqual([undefined, undefined, 0])
  })
})
