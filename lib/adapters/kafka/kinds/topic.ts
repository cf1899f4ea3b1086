import { applyTopicChanges } from '../apply-topics.ts';
import { TOPIC_KEY_PREFIX } from '../normalize.ts';
import { readTopics } from '../read-state.ts';
import { type KafkaKindHandler, namesWithPrefix } from './kafka-kind-handler.ts';

/** Topics: Metadata + DescribeConfigs to read; CreateTopics, CreatePartitions, IncrementalAlterConfigs, DeleteTopics. */
export const topicHandler: KafkaKindHandler<'Topic'> = {
  kind: 'Topic',
  observe: ({ session, readOptions }, _declared, options) => readTopics(session, null, readOptions(options.progress)),
  observeKeys: ({ session, readOptions }, wanted) =>
    readTopics(session, namesWithPrefix(wanted, TOPIC_KEY_PREFIX), readOptions()),
  upsert: ({ session }, changes, book, options) => applyTopicChanges(session, changes, book, options, 'upsert'),
  delete: ({ session }, changes, book, options) => applyTopicChanges(session, changes, book, options, 'delete'),
};
