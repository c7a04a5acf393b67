// Evidence rules: what may be preserved (ranges), who sees what (police state a case number and legal basis
// first), links bound to a user that expire, legal hold, the signed export. No express, no ffmpeg, no files here:
// the clips are read through `files` (files.ts), the clock is `now`; both come from index.ts.
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Sql } from '../db/connect.js';
import type { EventBus } from '../events.js';
import type { SessionUser } from '../auth/sessions.js';
import { can, evidencePurposeRequired } from '../auth/policy.js';
import { appendAudit } from '../audit/store.js';
import { DomainError, conflict, forbidden, invalid, notFound } from '../errors.js';
import * as store from './store.js';
import type { EvidenceFiles } from './files.js';
import type { SigningKey } from './signing.js';
import type { ClipWorker } from './worker.js';
import type { CustodyEntry, EvidenceCreate, EvidenceDetail, EvidenceItem, LegalBasis, Manifest, MaskLiftOrder, PackageLinkRequest, Purpose } from './schema.js';
import type { AppliedMasks } from '../masks/schema.js';

export interface Actor { user: SessionUser; remoteAddr: string | null }

const MIN = 60_000;
/** The end of a range may lie this far ahead: the post-roll still to be recorded. */
export const MAX_POSTROLL_MS = 15 * MIN;
export const DEFAULT_PREROLL_MS = 2 * MIN;
export const DEFAULT_POSTROLL_MS = 3 * MIN;

const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

/** An instant in UTC and as the wall clock in Europe/Amsterdam, with its offset (2026-11-27T23:58:00.123+01:00). */
export function amsterdam(iso: string | null): { utc: string | null; amsterdam: string | null } {
  if (!iso) return { utc: null, amsterdam: null };
  const d = new Date(iso);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((p) => [p.type, p.value]));
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  const offsetMin = Math.round((local - Math.floor(d.getTime() / 1000) * 1000) / MIN);
  const sign = offsetMin >= 0 ? '+' : '-';
  const off = `${sign}${String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`;
  const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
  return { utc: d.toISOString(), amsterdam: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${off}` };
}

export interface EvidenceServiceDeps {
  sql: Sql; bus: EventBus; worker: ClipWorker; key: SigningKey; mediaDir: string;
  maxMinutes: number; retentionDays: number; linkMinutes: number;
  now: () => number;
  files: EvidenceFiles;
}

export type OpenedLink =
  | { kind: 'clip'; file: string; filename: string }
  | { kind: 'package'; stream: Readable; filename: string };

export class EvidenceService {
  private readonly now: () => number;
  private readonly files: EvidenceFiles;
  constructor(private d: EvidenceServiceDeps) { this.now = d.now; this.files = d.files; }

  private custodyActor(a: Actor) { return { id: a.user.id, username: a.user.username, role: a.user.role }; }
  private needsPurpose(u: SessionUser) { return evidencePurposeRequired.includes(u.role); }

  private async emit(id: string) {
    const item = await store.getItem(this.d.sql, id, this.d.worker.progressOf);
    if (item) this.d.bus.emit('evidence.changed', item);
    return item;
  }

  /** The requested range, checked: every refusal names its field. */
  resolveRange(input: Pick<EvidenceCreate, 'moment' | 'from' | 'to'>): { from: number; to: number } {
    const now = this.now();
    let from: number, to: number;
    if (input.from !== undefined || input.to !== undefined) {
      if (input.moment !== undefined) throw invalid('invalid_range', 'give either a moment or from and to, not both', 'moment');
      if (input.from === undefined) throw invalid('invalid_range', 'from is required together with to', 'from');
      if (input.to === undefined) throw invalid('invalid_range', 'to is required together with from', 'to');
      from = Date.parse(input.from); to = Date.parse(input.to);
    } else {
      const m = input.moment !== undefined ? Date.parse(input.moment) : now;
      from = m - DEFAULT_PREROLL_MS; to = m + DEFAULT_POSTROLL_MS;
    }
    const field = input.from !== undefined ? 'from' : 'moment';
    if (to <= from) throw invalid('invalid_range', 'the end of the range must be after its start', 'to');
    if (from > now) throw invalid('range_in_future', 'the range starts in the future: nothing is recorded yet', field);
    if (to > now + MAX_POSTROLL_MS) throw invalid('range_in_future', `the range may end at most ${MAX_POSTROLL_MS / MIN} minutes from now`, input.to !== undefined ? 'to' : 'moment');
    if (to - from > this.d.maxMinutes * MIN) throw invalid('range_too_long', `a range may span at most ${this.d.maxMinutes} minutes (EVIDENCE_MAX_MINUTES)`, input.to !== undefined ? 'to' : 'moment');
    if (from < now - this.d.retentionDays * 24 * 60 * MIN) throw invalid('older_than_retention', `recordings are kept ${this.d.retentionDays} days: this range starts before that`, field);
    return { from, to };
  }

  async preserve(a: Actor, input: EvidenceCreate): Promise<EvidenceItem> {
    const { from, to } = this.resolveRange(input);
    const cameras = [...new Set(input.cameras)];
    const known = await store.knownCameras(this.d.sql, cameras);
    cameras.forEach((c, i) => { if (!known.has(c)) throw invalid('unknown_camera', `camera ${c} does not exist`, `cameras.${i}`); });
    if (input.incidentId && !(await store.incidentExists(this.d.sql, input.incidentId))) throw invalid('unknown_incident', 'no such incident', 'incidentId');
    const id = await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      // Retention deletes under the same lock: what is checked here is still there when the hold commits.
      await store.lockRetention(tx);
      // A range that ended over a minute ago must have been recorded by now; a more recent one may still be
      // on its way into the index (the segment being written), so it is accepted and its clip will say.
      if (to < this.now() - MIN) {
        for (const [i, c] of cameras.entries()) {
          if (!(await store.hasRecording(tx, c, new Date(from), new Date(to)))) {
            throw new DomainError('unprocessable', 'no_recording', `camera ${c} has no recording in this range`, `cameras.${i}`);
          }
        }
      }
      const row = await store.insertItem(tx, { from: new Date(from), to: new Date(to), reason: input.reason, incidentId: input.incidentId ?? null, createdBy: a.user.id, cameras });
      const details = { number: row.number, cameras, from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason: input.reason, incidentId: input.incidentId ?? null };
      await store.appendCustody(tx, { itemId: row.id, actor: this.custodyActor(a), action: 'preserved', details, remoteAddr: a.remoteAddr });
      await appendAudit(tx, { action: 'evidence.preserved', actor: a.user, subject: row.id, details, remoteAddr: a.remoteAddr });
      return row.id;
    });
    const item = (await this.emit(id))!;
    this.d.worker.kick();
    return item;
  }

  async list(u: SessionUser, q: store.ItemFilter): Promise<EvidenceItem[]> {
    const items = await store.listItems(this.d.sql, q, this.d.worker.progressOf);
    // Police see what exists (to find it for their case), but not why it was preserved until they state a purpose.
    return this.needsPurpose(u) ? items.map((i) => ({ ...i, reason: null })) : items;
  }

  private async detail(id: string): Promise<EvidenceDetail> {
    const item = await store.getItem(this.d.sql, id, this.d.worker.progressOf);
    if (!item) throw notFound('evidence item');
    return { ...item, custody: await store.listCustody(this.d.sql, id) };
  }

  /**
   * The room's own view of an item (observers, supervisors: no case number, the room preserved it). Still a
   * consultation of police data (Wpg), so recorded like a police view: custody trail and audit chain, before the
   * detail is disclosed. Every read is one entry; the console reads a detail only when someone opens it.
   */
  async get(a: Actor, id: string): Promise<EvidenceDetail> {
    if (!(await store.getItem(this.d.sql, id))) throw notFound('evidence item');
    if (this.needsPurpose(a.user)) throw new DomainError('forbidden', 'purpose_required', 'state a case number and legal basis first (POST /api/evidence/:id/access)');
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await store.appendCustody(tx, { itemId: id, actor: this.custodyActor(a), action: 'viewed', remoteAddr: a.remoteAddr });
      await appendAudit(tx, { action: 'evidence.viewed', actor: a.user, subject: id, details: { role: a.user.role, caseNumber: null }, remoteAddr: a.remoteAddr });
    });
    this.d.bus.emit('evidence.custody', id);
    return this.detail(id);
  }

  /** A view with a stated purpose: recorded in the custody trail and the audit chain. */
  async access(a: Actor, id: string, p: Purpose): Promise<EvidenceDetail> {
    if (!(await store.getItem(this.d.sql, id))) throw notFound('evidence item');
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await store.appendCustody(tx, { itemId: id, actor: this.custodyActor(a), action: 'viewed', caseNumber: p.caseNumber, legalBasis: p.legalBasis, details: { note: p.note ?? null }, remoteAddr: a.remoteAddr });
      await appendAudit(tx, { action: 'evidence.viewed', actor: a.user, subject: id, details: { caseNumber: p.caseNumber, legalBasis: p.legalBasis, note: p.note ?? null }, remoteAddr: a.remoteAddr });
    });
    this.d.bus.emit('evidence.custody', id);
    return this.detail(id);
  }

  private async issueLink(a: Actor, itemId: string, kind: 'clip' | 'package', cameraId: string | null, p: { caseNumber?: string; legalBasis?: LegalBasis; note?: string; liftMasks?: MaskLiftOrder }) {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now() + this.d.linkMinutes * MIN);
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await store.insertLink(tx, { tokenHash: hashToken(token), itemId, kind, cameraId, userId: a.user.id, caseNumber: p.caseNumber ?? null, legalBasis: p.legalBasis ?? null, note: p.note ?? null, expiresAt, maskLift: p.liftMasks ?? null });
      await appendAudit(tx, { action: 'evidence.link_issued', actor: a.user, subject: itemId, details: { kind, cameraId, caseNumber: p.caseNumber ?? null, legalBasis: p.legalBasis ?? null, expiresAt: expiresAt.toISOString(),
        ...(p.liftMasks ? { liftMasks: p.liftMasks } : {}) }, remoteAddr: a.remoteAddr });
    });
    return { url: `/api/evidence/files/${token}`, expiresAt: expiresAt.toISOString() };
  }

  async clipLink(a: Actor, id: string, b: { cameraId: string; caseNumber?: string; legalBasis?: LegalBasis; note?: string }) {
    if (this.needsPurpose(a.user)) {
      if (!b.caseNumber) throw invalid('purpose_required', 'give the case number of your investigation', 'caseNumber');
      if (!b.legalBasis) throw invalid('purpose_required', 'give the legal basis of this view', 'legalBasis');
    }
    const item = await store.getItem(this.d.sql, id);
    if (!item) throw notFound('evidence item');
    const clip = item.clips.find((c) => c.cameraId === b.cameraId);
    if (!clip) throw invalid('unknown_camera', 'this item has no clip of that camera', 'cameraId');
    if (clip.state !== 'ready') throw conflict('not_ready', `the clip is ${clip.state}`, 'cameraId');
    return this.issueLink(a, id, 'clip', b.cameraId, b);
  }

  async packageLink(a: Actor, id: string, p: PackageLinkRequest) {
    // Lifting masks for evidence is its own permission (police, supervisors), asked before anything else is revealed.
    if (p.liftMasks && !can(a.user.role, 'evidence.export_unmasked')) throw forbidden();
    const item = await store.getItem(this.d.sql, id);
    if (!item) throw notFound('evidence item');
    if (item.state !== 'ready') throw conflict('not_ready', `the item is ${item.state}: a package needs every clip ready`);
    if (p.liftMasks) await this.checkLift(id, p.liftMasks);
    return this.issueLink(a, id, 'package', null, p);
  }

  /**
   * A lift order names, per camera of the item, liftable masks of that clip; all of them: the package then carries
   * the copy burned with the permanent masks only (a partial lift would need a third encoding; not offered yet).
   */
  private async checkLift(itemId: string, order: MaskLiftOrder): Promise<void> {
    const clips = await store.clipsOf(this.d.sql, [itemId]);
    for (const [i, l] of order.cameras.entries()) {
      const field = `liftMasks.cameras.${i}`;
      const clip = clips.find((c) => c.cameraId === l.cameraId);
      if (!clip) throw invalid('unknown_camera', 'this item has no clip of that camera', `${field}.cameraId`);
      if (order.cameras.findIndex((o) => o.cameraId === l.cameraId) !== i) throw invalid('camera_twice', 'name each camera once', `${field}.cameraId`);
      const liftable = clip.masks?.liftable ?? [];
      const bad = l.maskIds.filter((m) => !liftable.includes(m));
      if (bad.length) throw invalid('mask_not_liftable', `not a liftable mask of this clip: ${bad.join(', ')} (liftable: ${liftable.join(', ') || 'none'})`, `${field}.maskIds`);
      if (liftable.some((m) => !l.maskIds.includes(m)) || !clip.liftableFile) {
        throw invalid('partial_lift', `an export lifts all liftable masks of a clip or none: ${liftable.join(', ')}`, `${field}.maskIds`);
      }
    }
  }

  /** What the package holds of one clip: the masked file, or the one without its liftable masks when the order lifts them. */
  private exportedClip(c: store.ClipRow, order: MaskLiftOrder | null): { file: string; sha256: string; bytes: number; masks?: AppliedMasks } {
    const lifted = order?.cameras.find((l) => l.cameraId === c.cameraId);
    if (!c.masks) return { file: c.file!, sha256: c.sha256!, bytes: c.bytes! };
    const { liftable: _l, permanent, liftableCopy, ...rest } = c.masks;
    if (!lifted || !c.liftableFile || !liftableCopy) return { file: c.file!, sha256: c.sha256!, bytes: c.bytes!, masks: rest };
    const left = new Set(lifted.maskIds);
    return {
      file: c.liftableFile, ...liftableCopy,
      // An id permanent in one of the versions stays burned in there: only its liftable polygons were left visible.
      masks: { ...rest, burnedIn: rest.burnedIn.filter((m) => !left.has(m) || permanent.includes(m)), lifted: [...left].sort(), liftReason: order!.reason },
    };
  }

  /** GET of a link: only by the user it was issued to, before it expires. Every use is in the custody trail. */
  async openLink(a: Actor, token: string): Promise<OpenedLink> {
    const tokenHash = hashToken(token);
    const link = await store.getLink(this.d.sql, tokenHash);
    if (!link) throw new DomainError('not_found', 'link_not_found', 'no such download link');
    if (link.user_id !== a.user.id) throw new DomainError('forbidden', 'link_not_yours', 'this link was issued to someone else');
    if (link.expires_at.getTime() < this.now()) throw new DomainError('gone', 'link_expired', 'this link has expired: ask for a new one');
    if (link.kind === 'package' && !can(a.user.role, 'evidence.export')) throw forbidden();
    const item = await store.getItem(this.d.sql, link.item_id);
    if (!item) throw notFound('evidence item');
    const clips = (await store.clipsOf(this.d.sql, [item.id])).filter((c) => c.state === 'ready' && c.file);
    const purpose = { caseNumber: link.case_number, legalBasis: link.legal_basis };
    if (link.kind === 'clip') {
      const clip = clips.find((c) => c.cameraId === link.camera_id);
      if (!clip) throw new DomainError('gone', 'clip_gone', 'the clip is no longer available');
      if (await store.markLinkUsed(this.d.sql, tokenHash)) {
        await this.d.sql.begin(async (t) => {
          const tx = t as unknown as Sql;
          await store.appendCustody(tx, { itemId: item.id, actor: this.custodyActor(a), action: 'played', ...purpose, details: { cameraId: clip.cameraId, note: link.note }, remoteAddr: a.remoteAddr });
          await appendAudit(tx, { action: 'evidence.played', actor: a.user, subject: item.id, details: { cameraId: clip.cameraId, ...purpose }, remoteAddr: a.remoteAddr });
        });
        this.d.bus.emit('evidence.custody', item.id);
      }
      return { kind: 'clip', file: await this.files.clipPath(clip.file!, clip.nodeId), filename: `bewijs-${item.number}-${clip.cameraId}.mp4` };
    }
    if (item.state !== 'ready') throw conflict('not_ready', `the item is ${item.state}`);
    const at = new Date(this.now()).toISOString();
    // Privacy masks: each clip as burned in, or (an export ordered with liftable masks lifted) the copy without them.
    const exported = clips.map((c) => this.exportedClip(c, link.mask_lift));
    const lifted = link.mask_lift ? { liftMasks: link.mask_lift } : {};
    await store.markLinkUsed(this.d.sql, tokenHash);
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      await store.appendCustody(tx, { itemId: item.id, actor: this.custodyActor(a), action: 'exported', ...purpose, details: { note: link.note, files: exported.map((e) => e.sha256), ...lifted }, remoteAddr: a.remoteAddr });
      await appendAudit(tx, { action: 'evidence.exported', actor: a.user, subject: item.id, details: { ...purpose, ...lifted }, remoteAddr: a.remoteAddr });
    });
    this.d.bus.emit('evidence.custody', item.id);
    const files = clips.map((c, i) => ({ clip: c, out: exported[i]!, name: `bewijs-${item.number}-${c.cameraId}.mp4` }));
    const manifest: Omit<Manifest, 'sha256sums'> = {
      format: 'uitkijk-evidence/1',
      evidence: { id: item.id, number: item.number, reason: item.reason ?? '', incidentId: item.incidentId, legalHold: item.legalHold },
      requested: { from: amsterdam(item.requestedFrom), to: amsterdam(item.requestedTo) },
      preservedBy: { username: item.createdBy.username, displayName: item.createdBy.displayName, at: item.createdAt },
      export: { at, by: a.user.username, role: a.user.role, caseNumber: link.case_number ?? '', legalBasis: (link.legal_basis ?? 'other') as LegalBasis, note: link.note },
      files: files.map(({ clip: c, out, name }) => ({
        name, sha256: out.sha256, bytes: out.bytes,
        camera: { id: c.cameraId, name: c.cameraName, street: c.street, lat: c.lat, lon: c.lon, municipalityId: c.municipalityId, municipality: c.municipalityName },
        actual: { from: amsterdam(c.actualFrom), to: amsterdam(c.actualTo) },
        durationMs: c.durationMs ?? 0, frames: c.frames ?? 0, codec: c.codec, width: c.width, height: c.height, gaps: c.gaps,
        ...(out.masks ? { masks: out.masks } : {}),
      })),
      custody: await store.listCustody(this.d.sql, item.id),
      signature: { algorithm: 'Ed25519', publicKeyFingerprint: this.d.key.fingerprint, file: 'manifest.sig' },
    };
    return { kind: 'package', stream: await this.files.package(manifest, files.map((f) => ({ name: f.name, file: f.out.file, nodeId: f.clip.nodeId })), this.d.key), filename: `bewijs-${item.number}.zip` };
  }

  async release(a: Actor, id: string, reason: string): Promise<EvidenceItem> {
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      const row = await store.lockItem(tx, id);
      if (!row) throw notFound('evidence item');
      if (!row.legalHold) throw conflict('not_held', 'this item is not under legal hold');
      await store.releaseHold(tx, id, a.user.id, reason);
      await store.appendCustody(tx, { itemId: id, actor: this.custodyActor(a), action: 'released', details: { reason }, remoteAddr: a.remoteAddr });
      await appendAudit(tx, { action: 'evidence.released', actor: a.user, subject: id, details: { reason }, remoteAddr: a.remoteAddr });
    });
    this.d.bus.emit('evidence.custody', id);
    return (await this.emit(id))!;
  }

  async retry(a: Actor, id: string): Promise<EvidenceItem> {
    await this.d.sql.begin(async (t) => {
      const tx = t as unknown as Sql;
      if (!(await store.lockItem(tx, id))) throw notFound('evidence item');
      const failed = await store.requeueFailedClips(tx, id);
      if (failed.length === 0) throw conflict('nothing_to_retry', 'no clip of this item has failed');
      await store.bumpVersion(tx, id);
      const details = { cameras: failed };
      await store.appendCustody(tx, { itemId: id, actor: this.custodyActor(a), action: 'retried', details, remoteAddr: a.remoteAddr });
      await appendAudit(tx, { action: 'evidence.retried', actor: a.user, subject: id, details, remoteAddr: a.remoteAddr });
    });
    this.d.bus.emit('evidence.custody', id);
    const item = (await this.emit(id))!;
    this.d.worker.kick();
    return item;
  }

  /**
   * The custody trail for a console that keeps an item open and follows it live: only for someone whose view of
   * this item is already in its trail (police: with their case number), so following it discloses nothing new
   * and is not itself a consultation of the images.
   */
  async followCustody(u: SessionUser, id: string): Promise<CustodyEntry[]> {
    if (!can(u.role, 'evidence.read')) throw forbidden();
    if (!(await store.getItem(this.d.sql, id))) throw notFound('evidence item');
    if (!(await store.hasViewed(this.d.sql, id, u.id))) throw new DomainError('forbidden', this.needsPurpose(u) ? 'purpose_required' : 'not_viewed', 'open the item first: its custody trail follows a recorded view');
    return store.listCustody(this.d.sql, id);
  }

  custodyOf(id: string): Promise<CustodyEntry[]> { return store.listCustody(this.d.sql, id); }

  publicKey() { return { algorithm: 'Ed25519' as const, pem: this.d.key.publicPem, fingerprint: this.d.key.fingerprint }; }
}
