/**
 * Read-only Kafka access for governance and operations (issue 6): offsets and ISR for the monitor, record
 * sampling for `peek` and the sample API. Nothing here joins a consumer group or commits.
 */
export { type FetchedRecord, type FetchTarget, fetchRecords } from './fetch-records.ts';
export { KafkaMonitorReader, openKafkaMonitorReader } from './monitor-reader.ts';
export { KafkaTopicSampler, openTopicSampler } from './topic-sampler.ts';
