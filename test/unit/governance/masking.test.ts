import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileFieldPattern,
  matchesFieldPath,
  pathCarriesProtectedField,
  topicMatches,
} from '../../../lib/governance/field-patterns.ts';
import { MASK, maskingRules, maskRecord, maskValue } from '../../../lib/governance/masking.ts';
import type { Json } from '../../../lib/model/common.ts';
import { DataPolicySpecSchema } from '../../../lib/model/data-policy.ts';

function policy(name: string, spec: unknown) {
  return { name, spec: DataPolicySpecSchema.parse(spec) };
}

describe('field patterns', () => {
  it('matches a bare name at any depth and dotted paths from the root, case-insensitively', () => {
    const email = compileFieldPattern('email');
    const dotted = compileFieldPattern('customer.email');
    const card = compileFieldPattern('card.*');
    const deep = compileFieldPattern('**.iban');
    expect(matchesFieldPath(email, ['email'])).toBe(true);
    expect(matchesFieldPath(email, ['customer', 'Email'])).toBe(true);
    expect(matchesFieldPath(dotted, ['customer', 'email'])).toBe(true);
    expect(matchesFieldPath(dotted, ['billing', 'customer', 'email'])).toBe(false);
    expect(matchesFieldPath(card, ['card', 'number'])).toBe(true);
    expect(matchesFieldPath(card, ['card'])).toBe(false);
    expect(matchesFieldPath(deep, ['a', 'b', 'iban'])).toBe(true);
    expect(matchesFieldPath(compileFieldPattern('*_ssn'), ['person', 'us_ssn'])).toBe(true);
  });

  it('knows that copying an ancestor or the whole record carries the protected field', () => {
    expect(pathCarriesProtectedField(compileFieldPattern('customer.email'), ['customer'])).toBe(true);
    expect(pathCarriesProtectedField(compileFieldPattern('customer.email'), ['order'])).toBe(false);
    expect(pathCarriesProtectedField(compileFieldPattern('card.*'), ['card'])).toBe(true);
    expect(pathCarriesProtectedField(compileFieldPattern('email'), [])).toBe(true);
    expect(pathCarriesProtectedField(compileFieldPattern('email'), ['customer'])).toBe(false);
  });

  it('matches topics exactly or by * glob', () => {
    expect(topicMatches('payments.*', 'payments.orders')).toBe(true);
    expect(topicMatches('payments.*', 'paymentsXorders')).toBe(false);
    expect(topicMatches('payments.orders', 'payments.orders')).toBe(true);
    expect(topicMatches('*', 'anything')).toBe(true);
  });
});

describe('maskValue', () => {
  it('masks all, hashes with a per-policy salt and keeps the last n characters', () => {
    expect(maskValue('secret', { type: 'all' }, 'p')).toBe(MASK);
    const a = maskValue('alice@example.com', { type: 'hash' }, 'p');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(maskValue('alice@example.com', { type: 'hash' }, 'p')).toBe(a);
    expect(maskValue('alice@example.com', { type: 'hash' }, 'q')).not.toBe(a);
    expect(maskValue('4111111111111111', { type: 'last-n', n: 4 }, 'p')).toBe('************1111');
    expect(maskValue(123, { type: 'last-n', n: 4 }, 'p')).toBe(MASK);
    expect(maskValue({ a: 1 }, { type: 'last-n', n: 4 }, 'p')).toBe(MASK);
    expect(maskValue(null, { type: 'all' }, 'p')).toBeNull();
  });
});

describe('maskRecord', () => {
  it('masks nested paths, wildcards and array elements, strongest policy first', () => {
    // Prepare
    const rules = maskingRules([
      policy('cards', { topics: ['*'], fields: ['card.*'], redaction: { type: 'last-n', n: 4 } }),
      policy('pii', { topics: ['*'], fields: ['email', 'card.cvv'], redaction: { type: 'all' } }),
    ]);
    const record: Json = {
      id: 7,
      customer: { email: 'a@b.c', name: 'Ann' },
      card: { number: '4111111111111111', cvv: '123' },
      items: [{ sku: 'x', email: 'c@d.e' }],
    };

    // Act
    const masked = maskRecord(record, rules);

    // Assess
    expect(masked).toEqual({
      id: 7,
      customer: { email: MASK, name: 'Ann' },
      card: { number: '************1111', cvv: MASK },
      items: [{ sku: 'x', email: MASK }],
    });
    expect(record).toMatchObject({ customer: { email: 'a@b.c' } });
  });

  it('never shows a protected string value, whatever the record looks like (property)', () => {
    const rules = maskingRules([
      policy('all', { topics: ['*'], fields: ['secret'] }),
      policy('hash', { topics: ['*'], fields: ['token'], redaction: { type: 'hash' } }),
      policy('last', { topics: ['*'], fields: ['pan'], redaction: { type: 'last-n', n: 2 } }),
    ]);
    const key = fc.constantFrom('secret', 'token', 'pan', 'other', 'nested');
    const value = fc.string({ minLength: 8, maxLength: 20 }).map((s) => `V${s}`);
    const record = fc.letrec((tie) => ({
      node: fc.dictionary(
        key,
        fc.oneof({ depthSize: 'small', maxDepth: 3 }, value, tie('node'), fc.array(tie('node'), { maxLength: 2 })),
        { maxKeys: 4 },
      ),
    })).node;
    fc.assert(
      fc.property(record, (r) => {
        const secrets: string[] = [];
        const collect = (node: unknown, under: boolean): void => {
          if (typeof node === 'string' && under) secrets.push(node);
          else if (Array.isArray(node)) for (const item of node) collect(item, under);
          else if (node && typeof node === 'object')
            for (const [k, v] of Object.entries(node)) collect(v, under || ['secret', 'token', 'pan'].includes(k));
        };
        collect(r, false);
        const text = JSON.stringify(maskRecord(r as Json, rules));
        return secrets.every((s) => !text.includes(JSON.stringify(s)));
      }),
      { numRuns: 300 },
    );
  });
});
