// Typed calls to the server API. Every schema here is the server's own (one contract, no copies).
import { z } from 'zod';
import { meSchema } from '../../../server/auth/schema';
import {
  cameraCreateSchema, cameraSchema, cameraUpdateSchema, cameraWithKeySchema, municipalitySchema,
} from '../../../server/cameras/schema';
import { userCreateSchema, userSchema, userUpdateSchema } from '../../../server/users/schema';
import { auditEntrySchema, chainReportSchema } from '../../../server/audit/schema';
import { cameraStatusSchema, liveViewSchema, playBatchSchema, playGrantSchema, preferencesSchema } from '../../../server/live/schema';
import {
  categorySchema, incidentCreateSchema, incidentDetailSchema, incidentSchema, incidentUpdateSchema, snapshotInfoSchema,
} from '../../../server/incidents/schema';
import { alertSchema, boardSchema, deliverySchema, type AlertStepInput } from '../../../server/dispatch/schema';
import { figuresSchema, shiftReportSchema, shiftSchema } from '../../../server/reports/schema';
import {
  evidenceDetailSchema, evidenceItemSchema, evidenceLinkSchema, publicKeySchema, type EvidenceCreate, type LegalBasis,
} from '../../../server/evidence/schema';
import { recordingRangesSchema, recordingViewSchema } from '../../../server/recordings/schema';
import {
  activationSchema, bookingDetailSchema, bookingSchema, capacitySchema, rosterEntrySchema, rosterObserverSchema, usageSchema,
  type BookingChange, type BookingCreate, type BookingStatus,
} from '../../../server/bookings/schema';
import { notificationSchema } from '../../../server/notifications/schema';
import {
  cameraMasksSchema, maskLiftSchema, maskVersionSchema, type MaskLiftInput, type MaskVersionInput,
} from '../../../server/masks/schema';
import { request, requestBlob, requestNoContent, withQuery } from './http';

export type CameraCreateBody = z.output<typeof cameraCreateSchema>;
export type CameraUpdateBody = z.output<typeof cameraUpdateSchema>;
export type UserCreateBody = z.output<typeof userCreateSchema>;
export type UserUpdateBody = z.output<typeof userUpdateSchema>;
export type AuditEntry = z.output<typeof auditEntrySchema>;
export type ChainReport = z.output<typeof chainReportSchema>;
export type CameraWithKey = z.output<typeof cameraWithKeySchema>;
export type CameraStatus = z.output<typeof cameraStatusSchema>;
export type PlayGrant = z.output<typeof playGrantSchema>;
export type LiveView = z.output<typeof liveViewSchema>;
export type RecordingView = z.output<typeof recordingViewSchema>;
export type Preferences = z.output<typeof preferencesSchema>;
export type StreamKind = PlayGrant['stream'];
export type WallLayout = Preferences['wallLayout'];
export type IncidentCreateBody = z.input<typeof incidentCreateSchema>;
export type IncidentUpdateBody = z.input<typeof incidentUpdateSchema>;

export type EvidenceQuery = { camera?: string; municipality?: string; from?: string; to?: string; incident?: string; caseNumber?: string; state?: string; limit?: number };
export type EvidencePurpose = { caseNumber: string; legalBasis: LegalBasis; note?: string };
const evidencePath = (id: string) => `/api/evidence/${encodeURIComponent(id)}`;
const incidentPath = (id: string) => `/api/incidents/${encodeURIComponent(id)}`;
const alertPath = (id: string) => `/api/alerts/${encodeURIComponent(id)}`;
const shiftPath = (id: string) => `/api/shifts/${encodeURIComponent(id)}`;
const bookingPath = (id: string) => `/api/bookings/${encodeURIComponent(id)}`;
export type BookingQuery = { from?: string; to?: string; status?: BookingStatus; municipality?: string; limit?: number };

/** Downloads (CSV) are plain links: the browser saves what the server sends with content-disposition. */
export const downloads = {
  figuresCsv: (from: string, to: string) => withQuery('/api/figures', { from, to, format: 'csv' }),
  shiftReportCsv: (id: string) => withQuery(`${shiftPath(id)}/report`, { format: 'csv' }),
  /** Printable A4, in the console's language (Dutch unless English). */
  shiftReportPdf: (id: string, lang: string) => withQuery(`${shiftPath(id)}/report`, { format: 'pdf', lang: lang === 'en' ? 'en' : 'nl' }),
  /** The JPEG of an incident's tagged moment (every view is recorded by the server). */
  snapshot: (incidentId: string) => `${incidentPath(incidentId)}/snapshot`,
  /** Usage of a month (a municipality user: their own), as CSV or PDF. */
  usage: (month: string, format: 'csv' | 'pdf', municipality?: string) => withQuery('/api/bookings/usage', { month, municipality, format }),
};

const cameraPath = (id: string) => `/api/cameras/${encodeURIComponent(id)}`;
const recordingPath = (id: string) => `/api/recordings/${encodeURIComponent(id)}`;

/** A <video> src: the browser fetches the fragmented MP4 from the keyframe at or before `from` (every playback is logged). */
export const playbackUrl = (cameraId: string, from: string, to?: string) => withQuery(`${recordingPath(cameraId)}/play`, { from, to });

export const api = {
  session: () => request('GET', '/api/session', meSchema),
  login: (username: string, password: string) => request('POST', '/api/session', meSchema, { username, password }),
  logout: () => requestNoContent('DELETE', '/api/session'),

  municipalities: () => request('GET', '/api/municipalities', z.array(municipalitySchema)),
  cameras: () => request('GET', '/api/cameras', z.array(cameraSchema)),
  camera: (id: string) => request('GET', cameraPath(id), cameraSchema),
  createCamera: (body: CameraCreateBody) => request('POST', '/api/cameras', cameraWithKeySchema, body),
  updateCamera: (id: string, body: CameraUpdateBody) => request('PATCH', cameraPath(id), cameraWithKeySchema, body),
  disableCamera: (id: string) => request('POST', `${cameraPath(id)}/disable`, cameraSchema, {}),
  rotateCameraKey: (id: string) => request('POST', `${cameraPath(id)}/rotate-key`, cameraWithKeySchema, {}),

  // Privacy masks (issue 16): what every console covers, the admin's versions, the supervisor's lifts.
  cameraMasks: (id: string) => request('GET', `${cameraPath(id)}/masks`, cameraMasksSchema),
  maskVersions: (id: string) => request('GET', `${cameraPath(id)}/masks/versions`, z.array(maskVersionSchema)),
  saveMasks: (id: string, body: MaskVersionInput) => request('PUT', `${cameraPath(id)}/masks`, maskVersionSchema, body),
  /** A fresh JPEG of the camera's main stream to draw on (admin; every one is in the audit trail). */
  maskFrame: (id: string) => requestBlob('GET', `${cameraPath(id)}/masks/frame`),
  liftMasks: (id: string, body: MaskLiftInput) => request('POST', `${cameraPath(id)}/masks/lifts`, maskLiftSchema, body),
  endMaskLift: (id: string, liftId: string) => requestNoContent('DELETE', `${cameraPath(id)}/masks/lifts/${encodeURIComponent(liftId)}`),

  users: () => request('GET', '/api/users', z.array(userSchema)),
  createUser: (body: UserCreateBody) => request('POST', '/api/users', userSchema, body),
  updateUser: (id: string, body: UserUpdateBody) => request('PATCH', `/api/users/${encodeURIComponent(id)}`, userSchema, body),

  /** A short-lived grant to open one camera stream (valid only to open it: ask again on every reconnect). */
  playGrant: (id: string, stream: StreamKind) => request('POST', `${cameraPath(id)}/live`, playGrantSchema, { stream }),
  /** Grants for several streams in one request (a wall opening); each entry is a grant or that camera's refusal. */
  playGrants: (streams: Array<{ cameraId: string; stream: StreamKind }>) => request('POST', '/api/live/grants', playBatchSchema, { streams }),
  liveStatus: () => request('GET', '/api/live/status', z.array(cameraStatusSchema)),
  liveViews: (q: { scope: 'mine' | 'all'; camera?: string; limit?: number }) => request('GET', withQuery('/api/live/views', q), z.array(liveViewSchema)),
  /** Playbacks of recordings, logged like live views (same scopes). */
  recordingViews: (q: { scope: 'mine' | 'all'; camera?: string; limit?: number }) => request('GET', withQuery('/api/recordings/views', q), z.array(recordingViewSchema)),
  /** A camera's timeline: recorded ranges and gaps in a window (default the last 24 h, at most 7 days). */
  recordingRanges: (id: string, q: { from?: string; to?: string } = {}) => request('GET', withQuery(`${recordingPath(id)}/ranges`, q), recordingRangesSchema),
  preferences: () => request('GET', '/api/me/preferences', preferencesSchema),
  savePreferences: (p: Preferences) => request('PUT', '/api/me/preferences', preferencesSchema, p),

  categories: () => request('GET', '/api/incident-categories', z.array(categorySchema)),
  incidents: (q: { status?: 'open' | 'closed' | 'all'; camera?: string; from?: string; to?: string; limit?: number } = {}) => request('GET', withQuery('/api/incidents', q), z.array(incidentSchema)),
  incident: (id: string) => request('GET', incidentPath(id), incidentDetailSchema),
  createIncident: (body: IncidentCreateBody) => request('POST', '/api/incidents', incidentSchema, body),
  updateIncident: (id: string, body: IncidentUpdateBody) => request('PATCH', incidentPath(id), incidentSchema, body),
  /** At the key press: a JPEG of that moment, attached to the incident when it is saved (snapshotId). */
  requestSnapshot: (cameraId: string) => request('POST', '/api/snapshots', snapshotInfoSchema, { cameraId }),
  raiseAlert: (incidentId: string, remark = '') => request('POST', `${incidentPath(incidentId)}/alert`, alertSchema, { remark }),

  alerts: (q: { state?: 'open' | 'all'; limit?: number } = {}) => request('GET', withQuery('/api/alerts', q), z.array(alertSchema)),
  alert: (id: string) => request('GET', alertPath(id), alertSchema),
  stepAlert: (id: string, body: { status: AlertStepInput['status']; remark?: string }) => request('POST', `${alertPath(id)}/status`, alertSchema, body),
  remarkAlert: (id: string, remark: string) => request('POST', `${alertPath(id)}/remarks`, alertSchema, { remark }),

  board: () => request('GET', '/api/board', boardSchema),
  deliveries: (q: { state?: 'pending' | 'delivered' | 'failed' | 'all'; limit?: number } = {}) => request('GET', withQuery('/api/dispatch/deliveries', q), z.array(deliverySchema)),
  figures: (from: string, to: string) => request('GET', withQuery('/api/figures', { from, to, format: 'json' }), figuresSchema),

  currentShift: () => request('GET', '/api/shifts/current', shiftSchema.nullable()),
  shifts: (q: { scope?: 'mine' | 'all'; limit?: number } = {}) => request('GET', withQuery('/api/shifts', q), z.array(shiftSchema)),
  startShift: (cameraIds: string[]) => request('POST', '/api/shifts', shiftSchema, { cameraIds }),
  updateShift: (id: string, body: { cameraIds?: string[]; handoverNotes?: string }) => request('PATCH', shiftPath(id), shiftSchema, body),
  endShift: (id: string, handoverNotes: string) => request('POST', `${shiftPath(id)}/end`, shiftSchema, { handoverNotes }),
  shiftReport: (id: string) => request('GET', `${shiftPath(id)}/report`, shiftReportSchema),

  audit: (q: { limit: number; before?: number; action?: string }) => request('GET', withQuery('/api/audit', q), z.array(auditEntrySchema)),
  verifyAudit: () => request('GET', '/api/audit/verify', chainReportSchema),

  /** Preserve a range of one or more cameras (default: moment −2 min … +3 min) with a reason: legal hold. */
  preserveEvidence: (body: EvidenceCreate) => request('POST', '/api/evidence', evidenceItemSchema, body),
  evidence: (q: EvidenceQuery = {}) => request('GET', withQuery('/api/evidence', q), z.array(evidenceItemSchema)),
  /** Observers and supervisors; police use evidenceAccess with a case number and legal basis. */
  evidenceItem: (id: string) => request('GET', evidencePath(id), evidenceDetailSchema),
  evidenceAccess: (id: string, purpose: EvidencePurpose) => request('POST', `${evidencePath(id)}/access`, evidenceDetailSchema, purpose),
  clipLink: (id: string, body: { cameraId: string } & Partial<EvidencePurpose>) => request('POST', `${evidencePath(id)}/clip-link`, evidenceLinkSchema, body),
  packageLink: (id: string, purpose: EvidencePurpose) => request('POST', `${evidencePath(id)}/package-link`, evidenceLinkSchema, purpose),
  releaseEvidence: (id: string, reason: string) => request('POST', `${evidencePath(id)}/release`, evidenceItemSchema, { reason }),
  retryEvidence: (id: string) => request('POST', `${evidencePath(id)}/retry`, evidenceItemSchema, {}),
  evidencePublicKey: () => request('GET', '/api/evidence/public-key', publicKeySchema),

  // Flexible supervision (issue 6). Windows go in as Amsterdam wall clock ("2026-06-12T21:00", "+02:00"/"+01:00" for
  // the repeated October hour); municipality users see only their own bookings (another one's: 404).
  bookings: (q: BookingQuery = {}) => request('GET', withQuery('/api/bookings', q), z.array(bookingSchema)),
  booking: (id: string) => request('GET', bookingPath(id), bookingDetailSchema),
  requestBooking: (body: BookingCreate) => request('POST', '/api/bookings', bookingSchema, body),
  changeBooking: (id: string, body: BookingChange) => request('PATCH', bookingPath(id), bookingSchema, body),
  cancelBooking: (id: string, expectedVersion: number, reason: string) => request('POST', `${bookingPath(id)}/cancel`, bookingSchema, { expectedVersion, reason }),
  bookingCapacity: (id: string) => request('GET', `${bookingPath(id)}/capacity`, capacitySchema),
  approveBooking: (id: string, body: { expectedVersion: number; unitIds: string[]; observerIds: string[] }) => request('POST', `${bookingPath(id)}/approve`, bookingSchema, body),
  rejectBooking: (id: string, expectedVersion: number, reason: string) => request('POST', `${bookingPath(id)}/reject`, bookingSchema, { expectedVersion, reason }),
  usage: (month: string, municipality?: string) => request('GET', withQuery('/api/bookings/usage', { month, municipality }), usageSchema),
  roster: (from: string, to: string) => request('GET', withQuery('/api/roster', { from, to }), z.array(rosterEntrySchema)),
  rosterObservers: () => request('GET', '/api/roster/observers', z.array(rosterObserverSchema)),
  addRoster: (body: { userId: string; start: string; end: string }) => request('POST', '/api/roster', rosterEntrySchema, body),
  removeRoster: (id: string) => requestNoContent('DELETE', `/api/roster/${encodeURIComponent(id)}`),
  activations: () => request('GET', '/api/live/activations', z.array(activationSchema)),
  notifications: (q: { unread?: 'true' | 'false'; limit?: number } = {}) => request('GET', withQuery('/api/notifications', q), z.array(notificationSchema)),
  markNotificationsRead: (body: { ids: number[] } | { all: true }) => request('POST', '/api/notifications/read', z.object({ marked: z.number() }), body),
};
