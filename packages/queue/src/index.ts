// @idstitch/queue: identifies enqueued to BullMQ on Redis by any number of app
// instances, delivered by workers with shared provider rate limits, retries
// over hours and dead letters.
export { createQueue, type IdentifyQueue, type EnqueueOptions } from './queue.js'
export type { QueueCounts } from './counts.js'
export { createWorker, type IdentifyWorker, type WorkerCounts } from './worker.js'
export type { QueueOptions, WorkerOptions } from './options.js'
export type { Connection } from './redis.js'
export type { QueueResult, QueuedResult, QueueErrorContext } from './results.js'
