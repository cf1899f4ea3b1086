import { describe, expect, it } from 'vitest';
import { applyRecord, auditId, lockRecord, planRecord } from '../../../lib/model/audit.ts';
import { planStatusAfter } from '../../../lib/model/plan.ts';

describe('audit record builders', () => {
  it('write the keys in one order whatever order the caller gives them', () => {
    // Prepare
    const fields = {
      message: 'm',
      changes: [{ key: 'kafka/topic/orders', action: 'Create' as const }],
      summary: { create: 1 },
      planHash: 'h',
      commit: 'c',
      actor: 'ann',
      environment: 'prod',
      at: '2026-01-01T00:00:00.000Z',
      id: 'p1-apply',
    };

    // Act
    const json = JSON.stringify(applyRecord('Succeeded', fields));

    // Assess
    expect(json).toBe(
      '{"id":"p1-apply","at":"2026-01-01T00:00:00.000Z","type":"apply","environment":"prod","actor":"ann",' +
        '"commit":"c","planHash":"h","outcome":"Succeeded","summary":{"create":1},' +
        '"changes":[{"key":"kafka/topic/orders","action":"Create"}],"message":"m"}',
    );
  });

  it('leave out the fields given as undefined', () => {
    const record = lockRecord('Broken', {
      id: auditId.lock('t', 'prod'),
      at: 't',
      environment: 'prod',
      actor: 'ops',
      message: undefined,
      commit: undefined,
    });
    expect(JSON.stringify(record)).toBe(
      '{"id":"t-prod-lock","at":"t","type":"lock","environment":"prod","actor":"ops","outcome":"Broken"}',
    );
  });

  it('keep the id schemes of stored plans', () => {
    expect(auditId.storedPlan('p1')).toBe('p1-plan');
    expect(auditId.apply('p1')).toBe('p1-apply');
    expect(auditId.approval('p1')).toBe('p1-approval');
    expect(auditId.push('2026-01-01T00:00:00.000Z', 'prod')).toBe('2026-01-01T00:00:00.000Z-prod-plan');
    expect(planRecord('Planned', { id: 'x', at: 't', environment: 'e', actor: 'a' }).type).toBe('plan');
  });
});

describe('planStatusAfter', () => {
  it('maps each apply outcome to the status its stored plan ends in', () => {
    expect(planStatusAfter('Succeeded')).toBe('Applied');
    expect(planStatusAfter('PartiallyFailed')).toBe('PartiallyApplied');
    expect(planStatusAfter('Failed')).toBe('Failed');
    expect(planStatusAfter('Refused')).toBe('Refused');
  });

  it('ends a plan whose apply lost its lease Failed, whatever the changes did', () => {
    expect(planStatusAfter('Succeeded', false)).toBe('Failed');
  });
});
