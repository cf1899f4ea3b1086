import { randomBytes } from 'node:crypto';

/**
 * A name no other run or test file uses (`it-k8s-3f9a1c2b`): the services are shared, so every file works
 * under names of its own. Lowercase letters, digits and `-`, valid for Kafka, Kubernetes and AWS alike.
 */
export function uniqueName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}
