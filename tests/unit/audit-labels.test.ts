// Every action the server can write to the audit trail reads as words in both languages of the console. The codes
// come from server/audit/schema.ts, the one list appendAudit's type accepts, so a new action without labels fails here.
import { describe, expect, it } from 'vitest';
import nl from '../../client/src/i18n/nl.json';
import en from '../../client/src/i18n/en.json';
import { auditActionCodes, auditSubjectKinds } from '../../server/audit/schema.js';

const languages = { nl, en } as Record<string, unknown>;
/** i18next's nested lookup: 'audit.actions.alert.unit_sent' → nl.audit.actions.alert.unit_sent. */
const lookup = (resources: unknown, key: string): unknown =>
  key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), resources);

describe('audit trail labels', () => {
  it('the list holds the actions the services write, each once', () => {
    expect(new Set(auditActionCodes).size).toBe(auditActionCodes.length);
    for (const code of ['booking.approved', 'roster.added', 'evidence.exported', 'recordings.play', 'live.publish_refused']) expect(auditActionCodes).toContain(code);
  });

  for (const lang of Object.keys(languages)) {
    it(`every action code has a label in ${lang}`, () => {
      const missing = auditActionCodes.filter((code) => {
        const label = lookup(languages[lang], `audit.actions.${code}`);
        return typeof label !== 'string' || label.trim() === '' || label === code;
      });
      expect(missing, `audit actions without a ${lang} label`).toEqual([]);
    });

    it(`every kind of subject has a label in ${lang}`, () => {
      const missing = auditSubjectKinds.filter((kind) => {
        const label = lookup(languages[lang], `audit.subjects.${kind}`);
        return typeof label !== 'string' || !label.includes('{{label}}');
      });
      expect(missing, `audit subject kinds without a ${lang} label`).toEqual([]);
    });
  }
});
