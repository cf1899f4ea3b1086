/** The demo broker's admin connection (scripts/services/kafka.sh), overridable like the tests' one. */
export function demoConnection(clientId: string) {
  return {
    clientId,
    bootstrapBrokers: [process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092'],
    sasl: {
      mechanism: 'SCRAM-SHA-512' as const,
      username: process.env.KAFKA_USERNAME ?? 'admin',
      password: process.env.KAFKA_PASSWORD ?? 'admin-secret',
    },
  };
}
