/** The shared test registry (Apicurio's Confluent-compatible API, scripts/services/schema-registry.sh). */
export const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/** A direct request to the registry, for preparing and checking around the code under test; throws unless 2xx. */
export async function registryRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${REGISTRY_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Deletes every subject whose name starts with `prefix`: soft, then permanently. A subject another one
 * references cannot go first, so the newest go first and the whole pass is repeated a few times.
 */
export async function deleteSubjects(prefix: string, rounds = 3): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const subjects = await registryRequest<string[]>('GET', '/subjects?deleted=true');
    const ours = subjects.filter((s) => s.startsWith(prefix)).reverse();
    if (ours.length === 0) return;
    for (const subject of ours) {
      await registryRequest('DELETE', `/subjects/${encodeURIComponent(subject)}`).catch(() => undefined);
      await registryRequest('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`).catch(() => undefined);
    }
  }
}
