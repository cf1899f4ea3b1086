/** Kafka topics a streaming SQL program reads and writes, as far as the text tells. */
export interface SqlTopics {
  dialect: 'flink' | 'ksql';
  /** Topic names read (sorted, unique). */
  reads: string[];
  /** Topic names written (sorted, unique). */
  writes: string[];
  /**
   * Uses that can not be tied to a topic name from the text alone: a Flink `topic-pattern`, a ksqlDB stream
   * defined outside this program. Reported as notes, never as errors.
   */
  unresolved: string[];
  /** Why (part of) the program could not be read. `line` is 1-based within the statement text. */
  problems: SqlProblem[];
}

export interface SqlProblem {
  message: string;
  line: number;
}
