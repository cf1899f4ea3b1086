import type { DoctorProbe, DoctorProbeFactory } from '../use-cases/doctor.ts';

/** Where the GitHub check gets its token and repository; without a token it is skipped with `unsetReason`. */
export interface DoctorGitHub {
  token?: string | undefined;
  repo?: string | undefined;
  apiUrl?: string | undefined;
  unsetReason: string;
}

/**
 * The probes of `landscape doctor` over the adapters' own clients and connection builders (nothing connects
 * any other way than a plan or apply would): Kafka, the schema registry, each Connect cluster, Kubernetes,
 * and GitHub. Adapters load lazily, as in providers.ts.
 */
export function doctorProbeFactory(github: DoctorGitHub): DoctorProbeFactory {
  return async ({ spec, needs, secrets, timeoutMs }) => {
    const options = { timeoutMs };
    const probes: DoctorProbe[] = [
      {
        target: 'kafka',
        run: async (signal) =>
          (await import('../adapters/kafka/doctor-probe.ts')).probeKafka(spec.kafka, secrets, needs, {
            ...options,
            signal,
          }),
      },
    ];
    const registry = spec.schemaRegistry;
    if (registry) {
      probes.push({
        target: 'schema registry',
        run: async () =>
          (await import('../adapters/schema-registry/doctor-probe.ts')).probeSchemaRegistry(registry, secrets, options),
      });
    }
    for (const [name, cluster] of Object.entries(spec.connect ?? {})) {
      probes.push({
        target: `connect "${name}"`,
        run: async () =>
          (await import('../adapters/connect/doctor-probe.ts')).probeConnect(name, cluster, secrets, options),
      });
    }
    const kubernetes = spec.kubernetes;
    if (kubernetes) {
      probes.push({
        target: 'kubernetes',
        run: async (signal) =>
          (await import('../adapters/k8s/doctor-probe.ts')).probeKubernetes(kubernetes, secrets, needs, {
            ...options,
            signal,
          }),
      });
    }
    probes.push({
      target: 'github',
      run: async () =>
        (await import('../adapters/github/doctor-probe.ts')).probeGitHub({
          token: github.token,
          repo: github.repo,
          apiUrl: github.apiUrl,
          unsetReason: github.unsetReason,
          timeoutMs,
        }),
    });
    return probes;
  };
}
