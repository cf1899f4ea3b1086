import avro from 'avsc';
import { AdapterError, messageOf, ReconcilerError } from '../errors.ts';
import type { Json } from '../model/common.ts';
import { documentsOfKind, type LoadedConfig } from '../model/documents.ts';
import type { RecordSource } from '../ports/record-source.ts';
import { policiesCovering } from './field-patterns.ts';
import { MASK, maskingRules, maskRecord, type NamedDataPolicy } from './masking.ts';

/** How a key or value was decoded. Only `json`, `avro` and `json-schema` are field-addressable. */
export type SampleFormat = 'null' | 'json' | 'avro' | 'json-schema' | 'protobuf' | 'text' | 'binary';

export interface SampledRecord {
  partition: number;
  offset: string;
  timestamp: string;
  key: Json;
  value: Json;
  keyFormat: SampleFormat;
  valueFormat: SampleFormat;
  /** The registry schema id of the value (wire format: magic byte 0 + 4-byte id). */
  schemaId?: number;
  /** Header names only: header values are not field-addressable and may carry anything. */
  headers: string[];
}

export interface TopicSample {
  topic: string;
  /** DataPolicies applied to every record, by name; empty means the topic is not covered. */
  policies: string[];
  records: SampledRecord[];
  /** Records or schemas that could not be decoded (shown masked or as base64, never failing the sample). */
  problems: string[];
}

export const DEFAULT_SAMPLE_COUNT = 10;
export const MAX_SAMPLE_COUNT = 100;

/** The number of records to sample: the default, or a whole number from 1 to MAX_SAMPLE_COUNT (else BadRequest). */
export function sampleCount(count: number | undefined): number {
  const n = count ?? DEFAULT_SAMPLE_COUNT;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLE_COUNT) {
    throw new ReconcilerError('BadRequest', `count must be a whole number from 1 to ${MAX_SAMPLE_COUNT}, got ${n}`);
  }
  return n;
}

/** The DataPolicies of a loaded config, in the `{ name, spec }` form `sampleTopic` takes. */
export function dataPoliciesOf(config: LoadedConfig): NamedDataPolicy[] {
  return documentsOfKind(config.documents, 'DataPolicy')
    .map((d) => ({ name: d.metadata.name, spec: d.spec }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Avro values as JSON: bytes/fixed as base64, everything else as decoded. */
function avroToJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(avroToJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = avroToJson(v);
    return out;
  }
  return value as Json;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Decoded {
  value: Json;
  format: SampleFormat;
  schemaId?: number;
}

class Decoder {
  readonly #source: RecordSource;
  readonly #types = new Map<number, Promise<{ type?: avro.Type; schemaType: string }>>();
  readonly problems: string[] = [];

  constructor(source: RecordSource) {
    this.#source = source;
  }

  #schema(id: number) {
    let entry = this.#types.get(id);
    if (!entry) {
      entry = this.#source.schema(id).then((s) => ({
        schemaType: s.schemaType.toUpperCase(),
        ...(s.schemaType.toUpperCase() === 'AVRO'
          ? { type: avro.Type.forSchema(JSON.parse(s.schema) as avro.Schema, { wrapUnions: 'auto' }) }
          : {}),
      }));
      this.#types.set(id, entry);
    }
    return entry;
  }

  async decode(bytes: Buffer | null, where: string): Promise<Decoded> {
    if (bytes === null) return { value: null, format: 'null' };
    if (bytes.length >= 5 && bytes[0] === 0) {
      // Confluent wire format: magic byte 0, 4-byte big-endian schema id, payload.
      const schemaId = bytes.readUInt32BE(1);
      try {
        const { type, schemaType } = await this.#schema(schemaId);
        const payload = bytes.subarray(5);
        if (type) return { value: avroToJson(type.fromBuffer(payload)), format: 'avro', schemaId };
        if (schemaType === 'JSON')
          return { value: JSON.parse(payload.toString('utf8')) as Json, format: 'json-schema', schemaId };
        return { value: payload.toString('base64'), format: 'protobuf', schemaId };
      } catch (error) {
        // Decoder messages can quote the payload (JSON.parse shows the text around the error): name the failure only.
        const reason =
          error instanceof ReconcilerError || error instanceof AdapterError
            ? messageOf(error)
            : 'the record does not decode with it';
        this.problems.push(`${where}: schema id ${schemaId}: ${reason}`);
        return { value: bytes.toString('base64'), format: 'binary', schemaId };
      }
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return { value: bytes.toString('base64'), format: 'binary' };
    }
    try {
      return { value: JSON.parse(text) as Json, format: 'json' };
    } catch {
      return { value: text, format: 'text' };
    }
  }
}

const ADDRESSABLE: ReadonlySet<SampleFormat> = new Set(['json', 'avro', 'json-schema']);

/**
 * A few recent records of a topic, decoded (JSON, Avro and JSON Schema via the registry wire format) and
 * masked by every DataPolicy covering the topic. A payload that cannot be addressed by field (text, binary,
 * Protobuf, an undecodable record) on a covered topic is masked whole: a sample never shows more than the
 * policies allow. This is what `landscape peek` prints and what `GET /topics/{name}/sample` returns.
 *
 * @example
 * const sampler = await openTopicSampler(config.environment.spec, secrets);
 * try {
 *   return await sampleTopic({ topic: 'payments.orders', count: 5, policies: dataPoliciesOf(config) }, sampler);
 * } finally {
 *   await sampler.close();
 * }
 */
export async function sampleTopic(
  input: { topic: string; count?: number; policies: readonly NamedDataPolicy[] },
  source: RecordSource,
): Promise<TopicSample> {
  const count = sampleCount(input.count);
  const covering = policiesCovering(input.policies, input.topic);
  const rules = maskingRules(covering);
  const raw = await source.recent(input.topic, count);
  const decoder = new Decoder(source);
  const mask = (decoded: Decoded): Json => {
    if (rules.length === 0 || decoded.value === null) return decoded.value;
    return ADDRESSABLE.has(decoded.format) ? maskRecord(decoded.value, rules) : MASK;
  };
  const records: SampledRecord[] = [];
  for (const r of raw) {
    const where = `partition ${r.partition} offset ${r.offset}`;
    const key = await decoder.decode(r.key, `${where} key`);
    const value = await decoder.decode(r.value, `${where} value`);
    records.push({
      partition: r.partition,
      offset: r.offset.toString(),
      timestamp: new Date(r.timestamp).toISOString(),
      key: mask(key),
      value: mask(value),
      keyFormat: key.format,
      valueFormat: value.format,
      ...(value.schemaId !== undefined ? { schemaId: value.schemaId } : {}),
      headers: r.headers.map(([name]) => name),
    });
  }
  return { topic: input.topic, policies: covering.map((p) => p.name), records, problems: decoder.problems };
}
