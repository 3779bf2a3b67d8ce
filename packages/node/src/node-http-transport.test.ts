import { ConfigError } from '@idstitch/core'
import { describe, expect, it } from 'vitest'
import { createNodeHttpTransport } from './node-http-transport.js'

describe('createNodeHttpTransport', () => {
  it('refuses, when it is made, a connection count that is not an integer >= 1 (Node would on the first request)', () => {
    for (const connections of [0, 1.5, -1, Number.NaN]) {
      expect(() => createNodeHttpTransport({ connections })).toThrow(ConfigError)
      expect(() => createNodeHttpTransport({ connections })).toThrow(/`connections`: must be an integer >= 1/)
    }
  })

  it("refuses an option it does not take, such as Node's agent's name for it", () => {
    expect(() => createNodeHttpTransport({ maxSockets: 2 } as never)).toThrow('[idstitch] invalid option `maxSockets`: is not one of connections')
    expect(() => createNodeHttpTransport({ Connections: 2 } as never)).toThrow('did you mean `connections`?')
    expect(createNodeHttpTransport().bounded).toBe(true)
  })
})
