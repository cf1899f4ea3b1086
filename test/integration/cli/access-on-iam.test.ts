import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { adminClient, availableCluster, createNamespace } from '../../support/k8s.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import { uniqueName } from '../../support/unique-name.ts';
import { env, kafkaAuthUp, notUpReason } from '../auth/support.ts';
import { CliWorkspace, expectNoSecret, grantTopicPrefix, revokeTopicPrefix, topicDoc } from '../reach/kafka-support.ts';

const cluster = kafkaAuthUp ? await availableCluster() : undefined;

/**
 * `landscape plan` on an Environment that authenticates with MSK IAM (the broker's IAM listener, which really
 * verifies the SigV4-signed token), ADR 0042: an App plans its topic and Kubernetes objects, no ACL, and shows
 * its access as an IAM policy; a hand-written Acl is refused at its file:line. The broker still runs Kafka's
 * ACL authorizer (a real MSK cluster evaluates IAM policies instead), so the IAM principal is granted the
 * test's topics by ACL, and the live ACL that grant creates is exactly what the plan must not read or list.
 */
describe.skipIf(!kafkaAuthUp || !cluster)(
  `landscape plan on an aws-msk-iam Environment${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 180_000 },
  () => {
    const prefix = uniquePrefix('it-iam-access');
    const topic = `${prefix}orders`;
    const principal = () => `User:${env('AUTH_AWS_ARN')}`;
    const namespace = uniqueName('lt-iam');
    let work: CliWorkspace;

    const environment = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: iam }
spec:
  kafka:
    bootstrapServers: ["${kafkaAuthUp ? env('KAFKA_IAM_BOOTSTRAP') : ''}"]
    sasl: { mechanism: aws-msk-iam, region: ${kafkaAuthUp ? env('MSK_IAM_REGION') : ''}, clusterArn: "arn:aws:kafka:eu-west-1:000000000000:cluster/test/0a1b2c3d-1" }
    tls: { ca: { secretRef: { provider: env, name: IAM_CA } } }
    requestTimeoutMs: 20000
  kubernetes:
    server: "${cluster?.server ?? ''}"
    namespace: ${namespace}
    token: { secretRef: { provider: env, name: K8S_ADMIN_TOKEN } }
    ca: { secretRef: { provider: env, name: K8S_CA } }
  prune: { Acl: true }
  requireApprovalFor: none
`;
    const app = `apiVersion: landscape.dev/v1
kind: App
metadata: { name: reader }
spec:
  principal: User:reader
  consumes: [${topic}]
  runtime: { type: container, image: "ghcr.io/acme/reader:1" }
`;

    beforeAll(async () => {
      // A live ACL on a topic the plan manages: on a cluster that enforces ACLs, plan would list it as an
      // unmanaged grant on a managed topic.
      await grantTopicPrefix(principal(), prefix);
      // The Kubernetes provider dry-runs the App's objects server-side: their namespace has to exist.
      if (cluster) {
        const admin = adminClient(cluster);
        await createNamespace(admin, namespace);
        admin.close();
      }
      work = new CliWorkspace({
        AWS_ACCESS_KEY_ID: env('AUTH_AWS_ACCESS_KEY_ID'),
        AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SECRET_ACCESS_KEY'),
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_REGION: env('MSK_IAM_REGION'),
        IAM_CA: readFileSync(env('AUTH_CA_FILE'), 'utf8'),
        K8S_ADMIN_TOKEN: cluster?.adminToken ?? '',
        K8S_CA: cluster?.ca ?? '',
      });
      await work.open({ 'env.yaml': environment, 'topics.yaml': topicDoc(topic, 86_400_000), 'app.yaml': app });
    });
    afterAll(async () => {
      if (cluster) {
        const admin = adminClient(cluster);
        await admin.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
        admin.close();
      }
      await work?.dispose();
      await revokeTopicPrefix(principal(), prefix);
      await cleanupPrefix(prefix);
    });

    it("plans the App's topic and objects, no ACL, and its access as an IAM policy; live ACLs are not read", async () => {
      // Act
      const result = await work.run(['plan', '.', '--env', 'iam', '--out', 'plan.json']);

      // Assess
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toContain(`+ create Topic ${topic}`);
      expect(result.stdout).toContain('+ create KubernetesObject Deployment');
      expect(result.stdout).not.toContain('Wave 3: ACLs');
      // Live ACLs are not read: none is listed as unmanaged (topics of other test files on the shared broker may be).
      expect(result.stdout).not.toMatch(/^ {2}kafka\/acl\//m);
      expect(result.stdout).toContain(
        'Access as IAM policies: Kafka ACLs are not enforced on this cluster (aws-msk-iam), so no ACL is planned.',
      );
      expect(result.stdout).toContain(
        `  User:reader  (App "reader")\n    Allow kafka-cluster:Connect, kafka-cluster:DescribeCluster\n      arn:aws:kafka:eu-west-1:000000000000:cluster/test/0a1b2c3d-1\n    Allow kafka-cluster:DescribeTopic, kafka-cluster:ReadData\n      arn:aws:kafka:eu-west-1:000000000000:topic/test/0a1b2c3d-1/${topic}\n`,
      );
      const plan = JSON.parse(readFileSync(join(work.dir, 'plan.json'), 'utf8'));
      expect(plan.changes.filter((c: { kind: string }) => c.kind === 'Acl')).toEqual([]);
      expect(plan.unmanagedGrants).toEqual([]);
      expect(plan.unmanaged.filter((key: string) => key.startsWith('kafka/acl/'))).toEqual([]);
      expect(plan.accessPolicies.map((p: { principal: string }) => p.principal)).toEqual(['User:reader']);
      expectNoSecret([result], [env('AUTH_AWS_SECRET_ACCESS_KEY'), cluster?.adminToken ?? '']);
    });

    it('refuses a hand-written Acl at its file:line with exit 1, writing no plan', async () => {
      // Prepare
      await work.write({
        'acl.yaml': `apiVersion: landscape.dev/v1
kind: Acl
metadata: { name: reporting }
spec:
  principal: User:reporting
  resource: { type: topic, name: ${topic} }
  operations: [read]
`,
      });
      // Act
      const result = await work.run(['plan', '.', '--env', 'iam', '--out', 'refused.json']);
      // Assess
      expect(result.code, result.stdout).toBe(1);
      expect(result.stderr).toContain(
        'acl.yaml:1:1: Acl "reporting": Kafka ACLs are not enforced on Environment "iam": it authenticates with aws-msk-iam, where IAM policies decide access, so this Acl would grant or deny nothing',
      );
      expect(existsSync(join(work.dir, 'refused.json'))).toBe(false);
    });
  },
);
