import { writeFile } from 'node:fs/promises';
import type { IamPolicyDocument } from '../model/access-policy.ts';
import { usesIamAccessControl } from '../model/connections/kafka.ts';
import { didYouMean } from '../model/suggest.ts';
import { environmentAccessPolicies } from '../plan/access/iam-access.ts';
import { renderDesired } from '../plan/render-desired.ts';
import { loadOrReport } from './load-or-report.ts';
import { EXIT, printProblems } from './output.ts';

export interface AccessPolicyOptions {
  env: string;
  /** Only this principal's policy document (`User:orders-app`). */
  principal?: string;
  /** Write the JSON here instead of stdout. */
  out?: string;
}

const fail = (message: string) => {
  process.stderr.write(`${message}\n`);
  return EXIT.error;
};

/**
 * `landscape access-policy DIR --env E [--principal P] [--out FILE]`: the IAM policy documents an MSK IAM
 * Environment's principals need for the access git declares (ADR 0042) — from Apps and from Acl documents
 * alike, so a landscape moving to IAM can turn its ACLs into policies first. Offline: reads the config only.
 * With `--principal`, the one policy document as IAM takes it (`aws iam put-role-policy --policy-document`);
 * without, an object of documents keyed by principal. What IAM can not express is a warning on stderr.
 * Exit 0 written, 1 for an unknown environment or principal, a non-IAM environment, or invalid config.
 */
export async function accessPolicyCommand(dir: string, options: AccessPolicyOptions): Promise<number> {
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  const kafka = config.environment.spec.kafka;
  if (!usesIamAccessControl(kafka)) {
    const how = kafka.sasl ? `SASL ${kafka.sasl.mechanism}` : 'no SASL mechanism';
    return fail(
      `Environment "${options.env}" connects with ${how}: ACLs are enforced on this cluster; access-policy is for aws-msk-iam environments (on this environment \`landscape plan\` applies the ACLs)`,
    );
  }
  const rendered = renderDesired(config);
  if (rendered.problems.some((p) => p.severity !== 'warning')) {
    printProblems(rendered.problems);
    return EXIT.error;
  }
  const { policies, warnings } = environmentAccessPolicies(
    { name: options.env, spec: config.environment.spec },
    rendered.resources,
  );
  let output: IamPolicyDocument | Record<string, IamPolicyDocument>;
  if (options.principal !== undefined) {
    const wanted = policies.find((p) => p.principal === options.principal);
    if (!wanted) {
      const known = policies.map((p) => p.principal);
      const hint = didYouMean(options.principal, known);
      return fail(
        `no access is declared for principal "${options.principal}" in Environment "${options.env}"${hint ? ` (${hint})` : ''}; principals with access: ${known.join(', ') || 'none'}`,
      );
    }
    output = wanted.policy;
    // Only the warnings about this principal's grants (quoted as `"User:x read topic:y"`) and about the scope.
    const mine = (w: string) => w.startsWith('spec.') || w.includes(`: "${wanted.principal} `);
    for (const w of warnings.filter(mine)) process.stderr.write(`warning: ${w}\n`);
  } else {
    output = Object.fromEntries(policies.map((p) => [p.principal, p.policy]));
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (policies.length === 0) process.stderr.write(`no access is declared in Environment "${options.env}"\n`);
  }
  const json = `${JSON.stringify(output, null, 2)}\n`;
  if (options.out === undefined) {
    process.stdout.write(json);
  } else {
    await writeFile(options.out, json);
    const count = options.principal === undefined ? policies.length : 1;
    process.stderr.write(`wrote ${count} IAM policy document${count === 1 ? '' : 's'} to ${options.out}\n`);
  }
  return EXIT.ok;
}
