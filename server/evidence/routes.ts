import { z } from 'zod';
import { route, reply, fileReply } from '../http/route.js';
import type { EvidenceService } from './service.js';
import {
  accessRequestSchema, clipLinkRequestSchema, evidenceCreateSchema, evidenceDetailSchema, evidenceIdParams, evidenceItemSchema,
  evidenceLinkSchema, evidenceListQuerySchema, linkTokenParams, packageLinkRequestSchema, publicKeySchema, releaseRequestSchema,
} from './schema.js';

export function evidenceRoutes(evidence: EvidenceService) {
  const actor = (c: { user: any; remoteAddr: string }) => ({ user: c.user, remoteAddr: c.remoteAddr });
  return [
    // Public on purpose: a public key is for anyone who must check a package (police, prosecutor, court, defence).
    route({ method: 'get', path: '/api/evidence/public-key', action: 'public', tag: 'evidence', summary: 'The Ed25519 public key that signs evidence manifests (PEM) and its SHA-256 fingerprint',
      response: publicKeySchema, handler: async () => evidence.publicKey() }),
    route({ method: 'post', path: '/api/evidence', action: 'evidence.preserve', tag: 'evidence', summary: 'Preserve evidence: cameras + range (default moment −2 min … +3 min) + reason; legal hold until a supervisor releases it',
      body: evidenceCreateSchema, response: evidenceItemSchema, handler: async (c) => reply(201, await evidence.preserve(actor(c), c.body)) }),
    route({ method: 'get', path: '/api/evidence', action: 'evidence.read', tag: 'evidence', summary: 'Find evidence by camera, municipality, time, incident, case number, state (police: without the reason)',
      query: evidenceListQuerySchema, response: z.array(evidenceItemSchema), handler: ({ user, query }) => evidence.list(user!, query) }),
    route({ method: 'get', path: '/api/evidence/files/:token', action: 'evidence.read', tag: 'evidence', summary: 'Use a download link: the clip (MP4, byte ranges) or the signed package (zip). Only its own user, before it expires',
      params: linkTokenParams, handler: async (c) => {
        const o = await evidence.openLink(actor(c), c.params.token);
        const disposition = (name: string, inline: boolean) => `${inline ? 'inline' : 'attachment'}; filename="${name}"`;
        const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
        if (o.kind === 'clip') return fileReply(o.file, { ...common, 'Content-Type': 'video/mp4', 'Content-Disposition': disposition(o.filename, true) });
        return reply(200, o.stream, { ...common, 'Content-Type': 'application/zip', 'Content-Disposition': disposition(o.filename, false) });
      } }),
    route({ method: 'get', path: '/api/evidence/:id', action: 'evidence.read', tag: 'evidence', summary: 'An item with its clips and custody trail; every read is recorded in it and the audit chain (police: use POST …/access with a case number instead)',
      params: evidenceIdParams, response: evidenceDetailSchema, handler: (c) => evidence.get(actor(c), c.params.id) }),
    route({ method: 'post', path: '/api/evidence/:id/access', action: 'evidence.read', tag: 'evidence', summary: 'View an item stating case number and legal basis (recorded in its custody trail and the audit chain)',
      params: evidenceIdParams, body: accessRequestSchema, response: evidenceDetailSchema, handler: (c) => evidence.access(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/evidence/:id/clip-link', action: 'evidence.read', tag: 'evidence', summary: 'A link (10 min, only for you) to play or download one clip; police give case number and legal basis',
      params: evidenceIdParams, body: clipLinkRequestSchema, response: evidenceLinkSchema, handler: (c) => evidence.clipLink(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/evidence/:id/package-link', action: 'evidence.export', tag: 'evidence', summary: 'A link (10 min, only for you) to the signed export package; case number and legal basis required',
      params: evidenceIdParams, body: packageLinkRequestSchema, response: evidenceLinkSchema, handler: (c) => evidence.packageLink(actor(c), c.params.id, c.body) }),
    route({ method: 'post', path: '/api/evidence/:id/release', action: 'evidence.release', tag: 'evidence', summary: 'End the legal hold (supervisors): the item returns to normal retention',
      params: evidenceIdParams, body: releaseRequestSchema, response: evidenceItemSchema, handler: (c) => evidence.release(actor(c), c.params.id, c.body.reason) }),
    route({ method: 'post', path: '/api/evidence/:id/retry', action: 'evidence.preserve', tag: 'evidence', summary: 'Produce the failed clips of an item again',
      params: evidenceIdParams, response: evidenceItemSchema, handler: (c) => evidence.retry(actor(c), c.params.id) }),
  ];
}
