import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BundleResult,
  bundleHandler,
  forbiddenWebhookInputs,
  WEBHOOK_BUNDLE_BUDGET_BYTES,
} from '../../../bench/bundles.ts';

// Bytes and inputs of the deployed bundle (esbuild's metafile), never its timing: cold import time is measured
// by `node bench/bundles.ts` only.
let work: string;
let bundle: BundleResult;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-webhook-bundle-'));
  bundle = await bundleHandler('webhook', join(work, 'webhook'));
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the webhook function bundle', () => {
  it('stays within its size budget', () => {
    expect(bundle.bytes).toBeLessThanOrEqual(WEBHOOK_BUNDLE_BUDGET_BYTES);
  });

  it('bundles no Kafka client, no model schemas (full zod), no other zod locale, no GitHub or S3 client', () => {
    expect(bundle.containsKafka).toBe(false);
    expect(forbiddenWebhookInputs(bundle)).toEqual([]);
  });

  it('still bundles what it runs on: the verifier, the use case, the DynamoDB and Lambda clients', () => {
    const inputs = Object.keys(bundle.bytesByInput);
    for (const needed of [
      'lib/adapters/github/github-webhook-verifier.ts',
      'lib/use-cases/receive-webhook.ts',
      'node_modules/@aws-sdk/client-dynamodb/',
      'node_modules/@aws-sdk/client-lambda/',
    ]) {
      expect(inputs.some((input) => input.includes(needed))).toBe(true);
    }
  });
});
