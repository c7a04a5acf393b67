// The custody trail speaks the console's language: every action that can enter it, and every role that can act in
// it, has a label in nl and in en (a new action without one fails here, not in front of a police officer).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { custodyActionSchema } from '../../server/evidence/schema.js';
import { roles } from '../../server/auth/policy.js';

const dictionaries = Object.fromEntries(['nl', 'en'].map((l) => [l, JSON.parse(readFileSync(`client/src/i18n/${l}.json`, 'utf8'))]));

describe('custody trail labels', () => {
  for (const [lang, d] of Object.entries(dictionaries)) {
    it(`${lang}: every custody action and every role has a label`, () => {
      for (const action of custodyActionSchema.options) {
        const label = d.evidence?.custodyActions?.[action];
        expect(typeof label === 'string' && label.trim().length > 0, `evidence.custodyActions.${action}`).toBe(true);
        expect(label, `evidence.custodyActions.${action} is the raw code`).not.toBe(action);
      }
      for (const role of roles) expect(d.roles?.[role], `roles.${role}`).toBeTruthy();
      expect(Object.keys(d.evidence.custodyActions).sort()).toEqual([...custodyActionSchema.options].sort());
    });
  }

  it('every custody action the server writes is one of them', () => {
    const written = new Set<string>();
    for (const file of ['server/evidence/service.ts', 'server/evidence/worker.ts', 'server/recordings/retention.ts']) {
      for (const m of readFileSync(file, 'utf8').matchAll(/appendCustody\(.*?action: '([a-z_]+)'/g)) written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThanOrEqual(9);
    for (const a of written) expect(custodyActionSchema.options, a).toContain(a);
  });
});
