// @idstitch/node/sink: for whoever sends identifies somewhere else than
// straight to the providers (a queue: @idstitch/queue's BullMQ, or SQS,
// Kafka, Cloudflare Queues). A sink takes each identify the pipeline
// prepared; a sender delivers what a sink stored. See docs/sinks.md.
export type { Sink, SinkIdentify, SinkItem, SinkParts, Deadline } from './sink.js'
export { createPipeline, type Pipeline, type PipelineOptions, type PipelineIdentifyOptions } from './custom-pipeline.js'
export { createSender, type Sender, type SenderOptions, type SendResult } from './sender.js'
export type { Delivery } from './lane/job.js'
export { storeItem, restoreItem, type StoredItem } from './stored-item.js'
export { createLogger } from './logger.js'
export { createDeadlineWatch, type DeadlineWatch } from './deadline-watch.js'
// The types a sink answers with, also on the main entry.
export type { ProviderResult, IdentifyResult } from './results.js'
export type { Logger } from './logger.js'
