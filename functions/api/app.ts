import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ReconcilerError } from '../../lib/errors.ts';
import type { DoctorReport } from '../../lib/model/doctor.ts';
import { renderPlanText } from '../../lib/plan/render-plan.ts';
import type { PipelineDeps } from '../../lib/use-cases/deps.ts';
import {
  approvePlan,
  breakLock,
  getPlan,
  getStatus,
  listAuditRecords,
  listLocks,
  requestReapply,
} from '../../lib/use-cases/operations.ts';
import { checkEnvironment } from '../../lib/use-cases/plan-policy.ts';
import type { PublishedTopicSample, TopicSampleRequest } from '../../lib/use-cases/sample-published-topic.ts';
import { type HttpEvent, type HttpResult, httpStack, json } from '../shared/http.ts';

export type ApiDeps = Pick<PipelineDeps, 'store' | 'locker' | 'worker' | 'now' | 'newId' | 'log'> & {
  /** `samplePublishedTopic` bound to a Kafka reader; without it the sample route answers 404. */
  sampleTopic?: (request: TopicSampleRequest, actor: string) => Promise<PublishedTopicSample>;
  /** `doctorOfStoredEnvironment` bound to the probes; without it the doctor route answers 404. */
  doctor?: (environment: string) => Promise<DoctorReport>;
};

/** `iam`: API Gateway verified SigV4 and put the caller in the authorizer context; `bearer`: a shared token. */
export type ApiAuth = { mode: 'iam' } | { mode: 'bearer'; token: string };

/**
 * The operator API. Routes (an `/api` prefix is accepted too, for `landscape serve`):
 * POST /reapply, POST /plans/{id}/approve, GET /plans/{id}, GET /status, GET /locks, DELETE /locks/{env},
 * GET /topics/{name}/sample?environment=E&count=N (the newest records, masked by the DataPolicies),
 * GET /audit?environment=E&limit=N (the newest audit records), GET /environments/{env}/doctor (the checks of
 * `landscape doctor` on the environment's connections as last planned, run from where the API runs: 200 with
 * `ok: false` when a check failed).
 */
export function createApiHandler(deps: ApiDeps, log: Logger, auth: ApiAuth) {
  return httpStack(log, async (event) => {
    const actor = authenticate(event, auth);
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = (event.rawPath ?? '/').replace(/^\/api(?=\/)/, '').replace(/\/+$/, '') || '/';
    const segments = path.split('/').filter(Boolean).map(decodeSegment);
    const query = new URLSearchParams(event.rawQueryString ?? '');
    log.info('api request', { method, path, actor });

    if (method === 'POST' && path === '/reapply') {
      return json(202, await requestReapply(deps, body(event), actor));
    }
    if (
      segments[0] === 'plans' &&
      segments[1] &&
      segments.length === 3 &&
      segments[2] === 'approve' &&
      method === 'POST'
    ) {
      const plan = await approvePlan(deps, checkPlanId(segments[1]), body(event), actor);
      return json(200, { id: plan.id, status: plan.status, approval: plan.approval, planHash: plan.plan.hash });
    }
    if (segments[0] === 'plans' && segments[1] && segments.length === 2 && method === 'GET') {
      const plan = await getPlan(deps, checkPlanId(segments[1]));
      if ((event.headers?.accept ?? '').includes('text/plain')) {
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: renderPlanText(plan.plan),
        };
      }
      return json(200, plan);
    }
    if (method === 'GET' && path === '/status') {
      return json(200, await getStatus(deps, query.get('environment') ?? undefined));
    }
    if (method === 'GET' && path === '/locks') return json(200, await listLocks(deps));
    if (method === 'GET' && path === '/audit') {
      return json(
        200,
        await listAuditRecords(deps, query.get('environment') ?? undefined, query.get('limit') ?? undefined),
      );
    }
    if (method === 'DELETE' && segments[0] === 'locks' && segments[1] && segments.length === 2) {
      return json(200, await breakLock(deps, segments[1], actor));
    }
    if (
      method === 'GET' &&
      segments[0] === 'topics' &&
      segments[1] &&
      segments[2] === 'sample' &&
      segments.length === 3
    ) {
      if (!deps.sampleTopic) throw new ReconcilerError('NotFound', 'topic samples are not enabled on this server');
      const count = query.get('count');
      if (count !== null && !/^\d{1,3}$/.test(count)) {
        throw new ReconcilerError(
          'BadRequest',
          `count must be a whole number from 1 to 100, got "${count.slice(0, 20)}"`,
        );
      }
      const request: TopicSampleRequest = {
        topic: segments[1],
        environment: query.get('environment') ?? undefined,
        count: count === null ? undefined : Number(count),
      };
      return json(200, await deps.sampleTopic(request, actor));
    }
    if (
      method === 'GET' &&
      segments[0] === 'environments' &&
      segments[1] &&
      segments[2] === 'doctor' &&
      segments.length === 3
    ) {
      if (!deps.doctor) throw new ReconcilerError('NotFound', 'the doctor is not enabled on this server');
      return json(200, await deps.doctor(checkEnvironment(segments[1])));
    }
    throw new ReconcilerError('NotFound', `no route for ${method} ${path}`);
  });
}

/**
 * Plan ids are generated (`20261125T101500Z-prod-1a2b3c4-9f8e7d6c`): letters, digits, ".", "_", "-". Anything
 * else, or longer than any id the pipeline makes, is a bad request here, before a store turns it into a key or
 * a file name (a 300-character id is longer than a file name may be).
 */
const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function checkPlanId(id: string): string {
  if (!PLAN_ID.test(id)) {
    throw new ReconcilerError(
      'BadRequest',
      `"${id.slice(0, 40)}${id.length > 40 ? '…' : ''}" is not a plan id (letters, digits, ".", "_", "-"; at most 200)`,
    );
  }
  return id;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ReconcilerError('BadRequest', `"${segment.slice(0, 40)}" is not a valid URL path segment`);
  }
}

function body(event: HttpEvent): Record<string, unknown> {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ReconcilerError('BadRequest', 'the body must be a JSON object');
}

/** Returns the caller's identity for audit records, or throws Unauthorized (401). */
function authenticate(event: HttpEvent, auth: ApiAuth): string {
  if (auth.mode === 'iam') {
    const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string; userId?: string } } }).authorizer
      ?.iam;
    const who = iam?.userArn ?? iam?.userId;
    if (!who) throw new ReconcilerError('Unauthorized', 'the request carries no IAM identity');
    return who;
  }
  if (!bearerTokenMatches(event.headers?.authorization, auth.token)) {
    throw new ReconcilerError('Unauthorized', 'missing or wrong bearer token');
  }
  return 'api-token';
}

/**
 * Constant-time check of an `Authorization: Bearer <token>` header. `landscape serve` also runs it on the
 * headers alone, before reading a body, so an unauthenticated request never gets its body buffered.
 */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const value = header ?? '';
  const given = Buffer.from(value.startsWith('Bearer ') ? value.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type { HttpResult };
