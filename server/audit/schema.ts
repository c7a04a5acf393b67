// The audit trail's contract (kept apart from store and chain so the browser can import it without node:crypto).
import { z } from 'zod';

/** What an audit row's subject names; the trail shows it by its human number or name, the id on hover. */
export const auditSubjectKinds = ['user', 'camera', 'incident', 'alert', 'shift', 'booking', 'roster', 'evidence'] as const;
export type AuditSubjectKind = (typeof auditSubjectKinds)[number];

/**
 * Every action the server writes to the audit trail, with the kind of its subject (null: no subject). The one list:
 * appendAudit accepts only these codes (a new one fails to compile until it is added here), the console's filter
 * offers them, and tests/unit/audit-labels.test.ts fails when one lacks a label in nl or en.
 */
export const auditActions = {
  'login.ok': 'user', 'login.failed': 'user', 'login.throttled': 'user', 'logout': 'user',
  'user.created': 'user', 'user.changed': 'user', 'user.role_changed': 'user', 'user.password_set': 'user',
  'camera.created': 'camera', 'camera.changed': 'camera', 'camera.disabled': 'camera', 'camera.enabled': 'camera', 'camera.key_rotated': 'camera',
  'camera.online': 'camera', 'camera.offline': 'camera', 'camera.node_moved': 'camera', 'cluster.rebalanced': null,
  'live.view': 'camera', 'live.publish_refused': 'camera', 'live.play_refused': 'camera',
  'recordings.play': 'camera', 'recordings.retention_sweep': null, 'recordings.disk_guard': null,
  'incident.created': 'incident', 'incident.changed': 'incident', 'incident.snapshot_viewed': 'incident',
  'alert.raised': 'alert', 'alert.acknowledged': 'alert', 'alert.unit_sent': 'alert', 'alert.on_scene': 'alert', 'alert.closed': 'alert', 'alert.escalated': 'alert',
  'dispatch.delivery_failed': 'alert',
  'shift.started': 'shift', 'shift.cameras_changed': 'shift', 'shift.ended': 'shift',
  'booking.requested': 'booking', 'booking.changed': 'booking', 'booking.approved': 'booking', 'booking.rejected': 'booking', 'booking.cancelled': 'booking',
  'roster.added': 'roster', 'roster.removed': 'roster',
  'evidence.preserved': 'evidence', 'evidence.clip_produced': 'evidence', 'evidence.retried': 'evidence', 'evidence.viewed': 'evidence',
  'evidence.link_issued': 'evidence', 'evidence.played': 'evidence', 'evidence.exported': 'evidence', 'evidence.released': 'evidence',
  'mask.changed': 'camera', 'mask.frame_viewed': 'camera', 'mask.lifted': 'camera', 'mask.lift_ended': 'camera',
} as const satisfies Record<string, AuditSubjectKind | null>;
export type AuditAction = keyof typeof auditActions;
export const auditActionCodes = Object.keys(auditActions) as AuditAction[];
export const isAuditAction = (a: string): a is AuditAction => Object.hasOwn(auditActions, a);

export const auditEntrySchema = z.object({
  id: z.number(), at: z.string(), actor: z.string().nullable(), action: z.string(), subject: z.string().nullable(),
  // The subject as people name it (camera name, incident number, BK-… reference, evidence number); null when it has none or is gone.
  subjectKind: z.enum(auditSubjectKinds).nullable(), subjectLabel: z.string().nullable(),
  details: z.record(z.string(), z.unknown()), remoteAddr: z.string().nullable(),
}).meta({ id: 'AuditEntry' });
export const chainReportSchema = z.object({ ok: z.boolean(), rows: z.number(), firstBroken: z.object({ id: z.number(), reason: z.enum(['hash', 'link', 'gap']) }).optional() }).meta({ id: 'AuditChainReport' });
