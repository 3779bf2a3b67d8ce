// The queue's de-duplication record, its two scripts on a real redis-server: deliveries of one user that overlap,
// fail, or never finish (a worker that died mid-delivery), in the orders two workers can bring them.
import { startRedis, type RedisServer } from '@idstitch/example-queue/redis-server'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { begin, dedupeFor, type DedupeClient, type DedupeRecord, type DedupeTicket, finish, withDedupeScripts } from '../../packages/queue/src/dedupe.js'

let redis: RedisServer
let client: DedupeClient
let users = 0

beforeAll(async () => {
  redis = await startRedis()
  client = withDedupeScripts(new Redis(redis.url))
})
afterAll(async () => {
  client?.disconnect()
  await redis?.remove()
})

/** Records for one fresh user: one per thing an identify may say (`digest`), each delivery's mark holding `holdMs`. */
const user = (holdMs = 60_000) => {
  const userId = `usr_${++users}`
  return (digest: string): DedupeRecord => dedupeFor({ provider: 'pathbound', userId, digest }, 'dd', { ttlMs: 60_000, secret: 'dedupe-script-secret', holdMs }) as DedupeRecord
}
const started = async (record: DedupeRecord): Promise<DedupeTicket> => {
  const ticket = await begin(client, record)
  if (ticket === 'duplicate') throw new Error('expected a delivery to begin, not a duplicate')
  return ticket
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('de-duplication records in Redis', () => {
  it('skips what the provider accepted last, and nothing while a delivery of the user is on its way', async () => {
    const says = user()
    await finish(client, await started(says('pro')), true)
    expect(await begin(client, says('pro'))).toBe('duplicate')
    const team = await started(says('team'))
    // 'pro' is what the provider held, but 'team' may land first: 'pro' is sent.
    const pro = await started(says('pro'))
    await finish(client, team, true)
    await finish(client, pro, true)
    // The two overlapped: which one the provider kept is not known, so neither is skipped next.
    expect(await begin(client, says('pro'))).not.toBe('duplicate')
  })

  it('remembers nothing when two deliveries overlap, whatever order their answers come back in', async () => {
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const says = user()
      const plans = ['pro', 'team']
      const tickets = [await started(says('pro')), await started(says('team'))]
      for (const slot of order) await finish(client, tickets[slot] as DedupeTicket, true)
      // The one answered last is not what the provider holds for certain: it is sent again.
      expect(await begin(client, says(plans[order[1] as number] as string))).not.toBe('duplicate')
    }
  })

  it('remembers again once deliveries no longer overlap', async () => {
    const says = user()
    const [pro, team] = [await started(says('pro')), await started(says('team'))]
    await finish(client, pro, true)
    await finish(client, team, true)
    await finish(client, await started(says('team')), true)
    expect(await begin(client, says('team'))).toBe('duplicate')
  })

  it('forgets what the provider held after a failed delivery, which may have landed', async () => {
    const says = user()
    await finish(client, await started(says('pro')), true)
    await finish(client, await started(says('team')), false)
    expect(await begin(client, says('pro'))).not.toBe('duplicate')
  })

  it('takes a mark past its deadline for a worker that died mid-delivery: what it sent may have landed', async () => {
    const says = user(200)
    await finish(client, await started(says('pro')), true)
    await started(says('team'))
    // Its worker died: no finish comes. Once its mark is past its deadline, 'pro' is sent: 'team' may be what the
    // provider holds. (While the mark holds, 'pro' is sent too: it is on its way, the first test.)
    await sleep(300)
    const pro = await begin(client, says('pro'))
    expect(pro).not.toBe('duplicate')
    await finish(client, pro as DedupeTicket, true)
    // That delivery stood alone: it is remembered.
    expect(await begin(client, says('pro'))).toBe('duplicate')
  })

  it('forgets when a delivery finishes after its mark was taken for a dead worker’s: it may have landed after the ones since', async () => {
    const says = user(200)
    const slow = await started(says('team'))
    await sleep(300)
    await finish(client, await started(says('pro')), true)
    expect(await begin(client, says('pro'))).toBe('duplicate')
    await finish(client, slow, true)
    expect(await begin(client, says('pro'))).not.toBe('duplicate')
  })

  it("takes over a key an earlier worker wrote as a string (a rolling upgrade): the user's jobs are delivered, not dead-lettered", async () => {
    const says = user()
    const record = says('pro')
    await client.set(record.key, record.fingerprint, 'PX', 60_000)
    await finish(client, await started(record), true)
    expect(await begin(client, says('pro'))).toBe('duplicate')
  })

  it('keeps only keyed hashes and numbers, for ttlMs after the last delivery', async () => {
    const says = user()
    await finish(client, await started(says('pro')), true)
    const record = says('pro')
    const fields = await client.hgetall(record.key)
    expect(Object.keys(fields).sort()).toEqual(['a', 's'])
    expect(fields.a).toBe(record.fingerprint)
    expect(await client.pttl(record.key)).toBeGreaterThan(59_000)
  })
})
