// Typed calls to the server API. Every schema here is the server's own (one contract, no copies).
import { z } from 'zod';
import { meSchema } from '../../../server/auth/schema';
import {
  cameraCreateSchema, cameraSchema, cameraUpdateSchema, cameraWithKeySchema, municipalitySchema,
} from '../../../server/cameras/schema';
import { userCreateSchema, userSchema, userUpdateSchema } from '../../../server/users/schema';
import { auditEntrySchema, chainReportSchema } from '../../../server/audit/schema';
import { cameraStatusSchema, liveViewSchema, playGrantSchema, preferencesSchema } from '../../../server/live/schema';
import { request, requestNoContent, withQuery } from './http';

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
export type Preferences = z.output<typeof preferencesSchema>;
export type StreamKind = PlayGrant['stream'];
export type WallLayout = Preferences['wallLayout'];

const cameraPath = (id: string) => `/api/cameras/${encodeURIComponent(id)}`;

export const api = {
  session: () => request('GET', '/api/session', meSchema),
  login: (username: string, password: string) => request('POST', '/api/session', meSchema, { username, password }),
  logout: () => requestNoContent('DELETE', '/api/session'),

  municipalities: () => request('GET', '/api/municipalities', z.array(municipalitySchema)),
  cameras: () => request('GET', '/api/cameras', z.array(cameraSchema)),
  createCamera: (body: CameraCreateBody) => request('POST', '/api/cameras', cameraWithKeySchema, body),
  updateCamera: (id: string, body: CameraUpdateBody) => request('PATCH', cameraPath(id), cameraWithKeySchema, body),
  disableCamera: (id: string) => request('POST', `${cameraPath(id)}/disable`, cameraSchema, {}),
  rotateCameraKey: (id: string) => request('POST', `${cameraPath(id)}/rotate-key`, cameraWithKeySchema, {}),

  users: () => request('GET', '/api/users', z.array(userSchema)),
  createUser: (body: UserCreateBody) => request('POST', '/api/users', userSchema, body),
  updateUser: (id: string, body: UserUpdateBody) => request('PATCH', `/api/users/${encodeURIComponent(id)}`, userSchema, body),

  /** A short-lived grant to open one camera stream (valid only to open it: ask again on every reconnect). */
  playGrant: (id: string, stream: StreamKind) => request('POST', `${cameraPath(id)}/live`, playGrantSchema, { stream }),
  liveStatus: () => request('GET', '/api/live/status', z.array(cameraStatusSchema)),
  liveViews: (q: { scope: 'mine' | 'all'; camera?: string; limit?: number }) => request('GET', withQuery('/api/live/views', q), z.array(liveViewSchema)),
  preferences: () => request('GET', '/api/me/preferences', preferencesSchema),
  savePreferences: (p: Preferences) => request('PUT', '/api/me/preferences', preferencesSchema, p),

  audit: (q: { limit: number; before?: number; action?: string }) => request('GET', withQuery('/api/audit', q), z.array(auditEntrySchema)),
  verifyAudit: () => request('GET', '/api/audit/verify', chainReportSchema),
};
