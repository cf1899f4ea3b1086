import { describe, expect, it } from 'vitest';

describe('monitor function configuration', () => {
  it('starts with the state table only: no bucket, no GitHub credentials', async () => {
    // The composition root reads process.env when the module loads; the deployed monitor gets no STATE_BUCKET.
    const saved = { ...process.env };
    for (const name of ['STATE_BUCKET', 'STATE_DIR', 'GITHUB_TOKEN_SECRET_ID', 'AUDIT_BUCKET'])
      delete process.env[name];
    Object.assign(process.env, { LANDSCAPE_STORE: 'aws', STATE_TABLE: 'landscape-state', AWS_REGION: 'us-east-1' });
    try {
      const { handler } = await import('../../../functions/monitor/handler.ts');
      expect(typeof handler).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
