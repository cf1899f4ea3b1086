/** A record as read from the log, before decoding (the Kafka adapter produces these). */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, string][];
}

/** A registry schema by id: `schemaType` is `AVRO` (the registry default), `JSON` or `PROTOBUF`. */
export interface RegistrySchema {
  schema: string;
  schemaType: string;
}

/** Where samples come from: the tail of a topic and the registry (a Kafka adapter, or a fake in tests). */
export interface RecordSource {
  recent(topic: string, count: number): Promise<RawRecord[]>;
  schema(id: number): Promise<RegistrySchema>;
}
