// Police retrieval: search evidence; before viewing an item, state the case number and the legal basis (recorded in
// the item's custody log and the audit chain); then its clips (played through a personal 10-minute link), its
// custody log and the signed package.
import { DateTime } from 'luxon';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { caseNumberSchema, legalBasisSchema, type EvidenceDetail, type EvidenceItem, type LegalBasis } from '../../../server/evidence/schema';
import type { municipalitySchema } from '../../../server/cameras/schema';
import { api, type EvidencePurpose, type EvidenceQuery } from '../api/endpoints';
import { toApiError } from '../api/http';
import { DateTextInput } from '../components/DateTextInput';
import { Dialog } from '../components/Dialog';
import { useErrorText } from '../components/errors';
import { Field, focusFirstInvalid, FormActions } from '../components/Field';
import { ErrorSlot } from '../components/Slots';
import { parseDateText } from '../dateText';
import { formatDateTime, TIME_ZONE } from '../format';
import { ClipLine, CustodyLog, EvidenceStateBadge, ItemSummary, PublicKeyNote } from './parts';
import { useLiveCustody, useLiveEvidence } from './useLiveEvidence';

type Municipality = z.output<typeof municipalitySchema>;
/** Typed as Amsterdam wall clock (the room's time), whatever the browser's own zone. */
const toIso = (local: string) => (local ? DateTime.fromISO(local, { zone: TIME_ZONE }).toUTC().toISO()! : undefined);

export function PoliceEvidencePanel() {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [municipalities, setMunicipalities] = useState<Municipality[]>([]);
  const [f, setF] = useState({ camera: '', municipality: '', from: '', to: '', caseNumber: '' });
  const [query, setQuery] = useState<EvidenceQuery>({ limit: 50 });
  const [opening, setOpening] = useState<EvidenceItem | null>(null);
  const [open, setOpen] = useState<{ detail: EvidenceDetail; purpose: EvidencePurpose } | null>(null);
  const feed = useLiveEvidence(query);

  useEffect(() => { api.municipalities().then(setMunicipalities, () => { /* the filter then offers none */ }); }, []);

  const [dateErrors, setDateErrors] = useState<{ from?: string; to?: string }>({});
  function search(e: FormEvent) {
    e.preventDefault();
    // A moment typed but not (yet) a date and time: said at its field, and no search on half a filter.
    const wrong = (v: string) => (v && !parseDateText(v, 'dateTime') ? t('dateInput.invalidDateTime') : undefined);
    const errs = { from: wrong(f.from), to: wrong(f.to) };
    setDateErrors(errs);
    if (errs.from || errs.to) return;
    setQuery({ limit: 50, camera: f.camera.trim() || undefined, municipality: f.municipality || undefined,
      from: toIso(f.from), to: toIso(f.to), caseNumber: f.caseNumber.trim() || undefined });
  }
  const lng = i18n.language;

  return (
    <section className="panel evidence-panel" aria-labelledby="evidence-panel-title" data-testid="evidence-panel">
      <h2 id="evidence-panel-title">{t('evidence.title')}</h2>
      <form className="form form--search" onSubmit={search} role="search" aria-label={t('evidence.search')}>
        <Field label={t('evidence.camera')}>{(c) => <input {...c} value={f.camera} onChange={(e) => setF({ ...f, camera: e.target.value })} data-testid="evidence-search-camera" placeholder="cam-…" />}</Field>
        <Field label={t('evidence.municipality')}>
          {(c) => (
            <select {...c} value={f.municipality} onChange={(e) => setF({ ...f, municipality: e.target.value })} data-testid="evidence-search-municipality">
              <option value="">{t('evidence.any')}</option>
              {municipalities.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('evidence.from')} error={dateErrors.from}>{(c) => <DateTextInput {...c} kind="dateTime" value={f.from} onChange={(v) => setF({ ...f, from: v })} data-testid="evidence-search-from" />}</Field>
        <Field label={t('evidence.to')} error={dateErrors.to}>{(c) => <DateTextInput {...c} kind="dateTime" value={f.to} onChange={(v) => setF({ ...f, to: v })} data-testid="evidence-search-to" />}</Field>
        <Field label={t('evidence.caseNumber')}>{(c) => <input {...c} value={f.caseNumber} onChange={(e) => setF({ ...f, caseNumber: e.target.value })} data-testid="evidence-search-case" />}</Field>
        <div className="actions"><button type="submit" className="button button--primary" data-testid="evidence-search">{t('evidence.searchButton')}</button></div>
      </form>

      {feed.error && <p className="banner banner--error">{errorText(feed.error)}</p>}
      {!feed.items && !feed.error && <p className="muted" role="status">{t('common.loading')}</p>}
      {feed.items && (
        // A region one can tab to: when the panel is narrower than the table, it scrolls, and keyboard users must reach that too.
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('evidence.results', { count: feed.items.length })}>
          <table className="table table--evidence" data-testid="evidence-results">
            <caption className="visually-hidden">{t('evidence.results', { count: feed.items.length })}</caption>
            <thead><tr><th scope="col">{t('evidence.number')}</th><th scope="col">{t('evidence.cameras')}</th><th scope="col">{t('evidence.requested')}</th><th scope="col">{t('evidence.state')}</th><th scope="col"><span className="visually-hidden">{t('evidence.view')}</span></th></tr></thead>
            <tbody>
              {feed.items.length === 0 && <tr><td colSpan={5} className="muted">{t('evidence.noneFound')}</td></tr>}
              {feed.items.map((i) => (
                <tr key={i.id} data-testid={`evidence-row-${i.number}`} data-evidence-id={i.id}>
                  <td className="mono">#{i.number}</td>
                  <td className="evidence-cameras">{i.clips.map((c) => c.cameraName).join(', ')}<span className="sub">{[...new Set(i.clips.map((c) => c.municipalityName))].join(', ')}</span></td>
                  <td className="mono">{formatDateTime(i.requestedFrom, lng)}<span className="sub">– {formatDateTime(i.requestedTo, lng)}</span></td>
                  <td><EvidenceStateBadge state={i.state} /></td>
                  <td><button type="button" className="button button--small" onClick={() => setOpening(i)} data-testid="evidence-open">{t('evidence.view')}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PublicKeyNote />
      {opening && <PurposeDialog item={opening} onClose={() => setOpening(null)} onOpened={(detail, purpose) => { setOpening(null); setOpen({ detail, purpose }); }} />}
      {open && <EvidenceDetailDialog detail={open.detail} purpose={open.purpose} onClose={() => setOpen(null)} />}
    </section>
  );
}

const bases = legalBasisSchema.options;

function PurposeDialog({ item, onOpened, onClose }: { item: EvidenceItem; onOpened(d: EvidenceDetail, p: EvidencePurpose): void; onClose(): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const form = useRef<HTMLFormElement>(null);
  const [caseNumber, setCaseNumber] = useState('');
  const [legalBasis, setLegalBasis] = useState<LegalBasis | ''>('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<{ caseNumber?: string; legalBasis?: string; note?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: typeof errors = {};
    if (!caseNumberSchema.safeParse(caseNumber).success) errs.caseNumber = t('purpose.caseNumberInvalid');
    if (!legalBasis) errs.legalBasis = t('purpose.legalBasisRequired');
    if (legalBasis === 'other' && !note.trim()) errs.note = t('purpose.noteRequired');
    setErrors(errs);
    if (Object.keys(errs).length || !legalBasis) { focusFirstInvalid(form.current); return; }
    const purpose: EvidencePurpose = { caseNumber: caseNumber.trim(), legalBasis, ...(note.trim() ? { note: note.trim() } : {}) };
    setBusy(true); setFailure(null);
    try {
      onOpened(await api.evidenceAccess(item.id, purpose), purpose);
    } catch (err) {
      const ae = toApiError(err);
      if (ae.field === 'caseNumber' || ae.field === 'legalBasis' || ae.field === 'note') setErrors({ [ae.field]: errorText(ae) });
      else setFailure(errorText(ae));
    } finally { setBusy(false); }
  }

  return (
    <Dialog title={t('purpose.title', { number: item.number })} onClose={onClose} closable={!busy} testId="purpose-dialog">
      <form ref={form} className="form" onSubmit={submit} noValidate>
        <p className="muted">{t('purpose.intro')}</p>
        <Field label={t('evidence.caseNumber')} hint={t('purpose.caseNumberHint')} error={errors.caseNumber}>
          {(c) => <input {...c} value={caseNumber} onChange={(e) => setCaseNumber(e.target.value)} autoFocus required autoComplete="off" data-testid="purpose-case" />}
        </Field>
        <Field label={t('purpose.legalBasis')} error={errors.legalBasis}>
          {(c) => (
            <select {...c} value={legalBasis} onChange={(e) => setLegalBasis(e.target.value as LegalBasis | '')} required data-testid="purpose-basis">
              <option value="">{t('purpose.choose')}</option>
              {bases.map((b) => <option key={b} value={b}>{t(`legalBasis.${b}`)}</option>)}
            </select>
          )}
        </Field>
        <Field label={legalBasis === 'other' ? t('purpose.noteRequiredLabel') : t('purpose.note')} error={errors.note}>
          {(c) => <textarea {...c} rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} data-testid="purpose-note" />}
        </Field>
        <ErrorSlot error={failure} />
        <FormActions busy={busy} onCancel={onClose} submitLabel={t('purpose.submit')} submitTestId="purpose-submit" />
      </form>
    </Dialog>
  );
}

function EvidenceDetailDialog({ detail, purpose, onClose }: { detail: EvidenceDetail; purpose: EvidencePurpose; onClose(): void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [playing, setPlaying] = useState<{ cameraId: string; url: string } | null>(null);
  // Plays and downloads (and anyone else's use of the item) appear while the dialog stays open.
  const custody = useLiveCustody(detail.id, detail.custody);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function play(cameraId: string) {
    setBusy(true); setError(null);
    try { const l = await api.clipLink(detail.id, { cameraId, ...purpose }); setPlaying({ cameraId, url: l.url }); }
    catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(false); }
  }
  async function download() {
    setBusy(true); setError(null);
    try { const l = await api.packageLink(detail.id, purpose); window.location.assign(l.url); }
    catch (e) { setError(errorText(toApiError(e))); } finally { setBusy(false); }
  }

  return (
    <Dialog title={t('evidence.itemTitle', { number: detail.number })} onClose={onClose} wide testId="evidence-detail">
      <div className="evidence-detail" data-evidence-id={detail.id}>
        <p className="muted">{t('purpose.recorded', { caseNumber: purpose.caseNumber, basis: t(`legalBasis.${purpose.legalBasis}`) })}</p>
        <div className="evidence-item__head"><EvidenceStateBadge state={detail.state} /></div>
        <ItemSummary item={detail} />
        <h3>{t('evidence.clips')}</h3>
        <ul className="clips">
          {detail.clips.map((c) => (
            <ClipLine key={c.id} clip={c}>
              {c.state === 'ready' && (
                <button type="button" className="button button--small" onClick={() => void play(c.cameraId)} disabled={busy} data-testid={`play-${c.cameraId}`}>{t('evidence.play', { name: c.cameraName })}</button>
              )}
              {playing?.cameraId === c.cameraId && (
                <video className="evidence-video" src={playing.url} controls autoPlay muted playsInline data-testid="evidence-video"
                  aria-label={t('evidence.videoLabel', { name: c.cameraName })} />
              )}
            </ClipLine>
          ))}
        </ul>
        <h3>{t('evidence.custody')}</h3>
        <CustodyLog entries={custody} />
        <ErrorSlot error={error} />
        <div className="actions">
          <button type="button" className="button button--primary" onClick={() => void download()} disabled={busy || detail.state !== 'ready'} data-testid="evidence-download">{t('evidence.download')}</button>
          <button type="button" className="button" onClick={onClose}>{t('common.close')}</button>
        </div>
      </div>
    </Dialog>
  );
}
