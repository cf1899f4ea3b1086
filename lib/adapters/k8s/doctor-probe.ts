import { messageOf } from '../../errors.ts';
import type { KubernetesConnection } from '../../model/connections/kubernetes.ts';
import { type DoctorCheck, type DoctorNeeds, failed, ok, skipped } from '../../model/doctor.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { mapLimit } from '../common/concurrency.ts';
import { KubeApiError, KubeClient } from './kube-client.ts';
import { resolveKubeConnection } from './kube-credentials.ts';

const TARGET = 'kubernetes';

interface AccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string };
}

/**
 * The Kubernetes checks of `landscape doctor`: the API server answers, accepts the credentials (a
 * SelfSubjectReview names the user), and a SelfSubjectAccessReview per declared kind and namespace says
 * whether the user may get, list, create and patch it (server-side apply), and delete it when pruned. Reviews
 * are questions, not changes.
 */
export async function probeKubernetes(
  k8s: KubernetesConnection,
  secrets: SecretResolver,
  needs: DoctorNeeds,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<DoctorCheck[]> {
  let client: KubeClient;
  try {
    client = new KubeClient({ ...(await resolveKubeConnection(k8s, secrets)), timeoutMs: options.timeoutMs });
  } catch (error) {
    return [failed(TARGET, 'credentials', messageOf(error), 'make the credentials of spec.kubernetes resolve')];
  }
  const checks: DoctorCheck[] = [];
  const abandon = () => client.close();
  options.signal?.addEventListener('abort', abandon, { once: true });
  try {
    let user = '';
    try {
      const review = await client.request<{ status?: { userInfo?: { username?: string } } }>(
        'POST',
        '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        {
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
          what: 'asking who Landscape is (SelfSubjectReview)',
        },
      );
      user = review.status?.userInfo?.username ?? '';
    } catch (error) {
      if (!(error instanceof KubeApiError)) {
        checks.push(
          failed(
            TARGET,
            'reachable',
            messageOf(error),
            'check spec.kubernetes.server (or the kubeconfig cluster) and that this network reaches the API server',
          ),
          skipped(TARGET, 'authentication', 'not tried: the API server was not reached'),
        );
        return checks;
      }
      checks.push(ok(TARGET, 'reachable', `${client.server.origin} answered`));
      if (error.statusCode === 401) {
        checks.push(
          failed(TARGET, 'authentication', messageOf(error), `fix the credentials (auth: ${client.authType})`),
        );
        return checks;
      }
      // An API server older than 1.28 has no SelfSubjectReview: authenticated, identity unknown.
      checks.push(ok(TARGET, 'authentication', `accepted (auth: ${client.authType})`));
    }
    if (user) {
      checks.push(ok(TARGET, 'reachable', `${client.server.origin} answered`));
      checks.push(ok(TARGET, 'authentication', `authenticated as "${user}" (auth: ${client.authType})`));
    }
    if (needs.kubernetes.length === 0) {
      checks.push(skipped(TARGET, 'permissions', 'the configuration declares no Kubernetes object'));
      return checks;
    }
    const verbs = ['get', 'list', 'create', 'patch', ...(needs.prune.includes('KubernetesObject') ? ['delete'] : [])];
    const results = await mapLimit(needs.kubernetes, 4, async (target) => {
      const where = target.namespace ? `in namespace "${target.namespace}"` : '(cluster-scoped)';
      const check = `${target.kind} ${where}`;
      try {
        const version = await client.preferredVersion(target.group);
        const info = version ? await client.resourceFor(version, target.kind) : undefined;
        if (!info) {
          return skipped(
            TARGET,
            check,
            `the API server does not serve ${target.group}/${target.kind} (yet): a CRD the configuration installs?`,
          );
        }
        const denied: string[] = [];
        for (const verb of verbs) {
          const review = await client.request<AccessReview>(
            'POST',
            '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
            {
              body: {
                apiVersion: 'authorization.k8s.io/v1',
                kind: 'SelfSubjectAccessReview',
                spec: {
                  resourceAttributes: {
                    group: target.group === 'core' ? '' : target.group,
                    resource: info.resource,
                    verb,
                    ...(target.namespace ? { namespace: target.namespace } : {}),
                  },
                },
              },
              what: `asking whether Landscape may ${verb} ${info.resource}`,
            },
          );
          if (!review.status?.allowed) denied.push(verb);
        }
        if (denied.length > 0) {
          const group = target.group === 'core' ? '""' : target.group;
          return failed(
            TARGET,
            check,
            `${user ? `"${user}"` : 'Landscape'} may not ${denied.join(', ')} ${info.resource} ${where}`,
            `grant the verbs ${denied.join(', ')} on ${info.resource} (apiGroup ${group}) ${where} with a ${target.namespace ? 'Role and RoleBinding' : 'ClusterRole and ClusterRoleBinding'} (kubectl auth can-i ${denied[0]} ${info.resource}${target.namespace ? ` -n ${target.namespace}` : ''} --as ${user || 'USER'} to verify)`,
          );
        }
        return ok(TARGET, check, `${verbs.join(', ')} ${info.resource} allowed`);
      } catch (error) {
        return failed(
          TARGET,
          check,
          messageOf(error),
          'let Landscape create SelfSubjectAccessReviews and read API discovery',
        );
      }
    });
    checks.push(...results);
  } finally {
    options.signal?.removeEventListener('abort', abandon);
    client.close();
  }
  return checks;
}
