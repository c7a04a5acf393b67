// OASIS Common Alerting Protocol 1.2 for the external dispatch system, and its JSON twin. Pure: the same outbox
// message always gives the same bytes, so a retried delivery carries exactly what the first attempt carried.
// Validated against the official XSD in tests/unit/cap.test.ts (tests/fixtures/CAP-v1.2.xsd).
import { create } from 'xmlbuilder2';
import type { AlertStatus } from '../incidents/schema.js';
import type { DispatchMessage } from './schema.js';

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

export interface CapOptions {
  /** CAP <sender>: globally unique, no spaces, commas, '<' or '&'. */
  sender: string;
  senderName: string;
  /** The console's public URL: links to the alert and its snapshot. Without it the message carries no links. */
  publicOrigin?: string | null;
}

/** The first message of the alert, which every later message references (CAP <references>). */
export interface FirstMessage { messageId: string; at: string }

/** XML 1.0 cannot carry most control characters (a pasted note may hold one): they are dropped. */
export function xmlText(v: string | number): string {
  return String(v).replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

export const capIdentifier = (messageId: string) => `uitkijk-${messageId}`;

/**
 * CAP wants a time with a numeric offset and no fraction ("Z" is not allowed). Europe/Amsterdam local time,
 * as the dispatch centre reads it.
 */
export function capTime(isoTime: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(new Date(isoTime)).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

const statusNl: Record<AlertStatus, string> = { raised: 'gemeld', acknowledged: 'ontvangen', unit_sent: 'eenheid onderweg', on_scene: 'eenheid ter plaatse', closed: 'afgesloten' };
const urgency = { 1: 'Immediate', 2: 'Expected', 3: 'Future' } as const;
const severity = { 1: 'Severe', 2: 'Moderate', 3: 'Minor' } as const;

function note(m: DispatchMessage): string {
  const a = m.alert;
  const last = a.steps[a.steps.length - 1];
  switch (m.kind) {
    case 'raised': return `Melding ${a.incidentNumber} gemeld door de toezichtsruimte`;
    case 'status': return `Status: ${statusNl[a.status]}${last?.by ? ` (${last.by})` : ''}${last?.remark ? `: ${last.remark}` : ''}`;
    case 'remark': return `Opmerking${last?.by ? ` van ${last.by}` : ''}: ${last?.remark ?? a.lastRemark}`;
    case 'escalated': return 'Niet bevestigd binnen de gestelde tijd: geëscaleerd';
    case 'updated': return 'Melding bijgewerkt door de toezichtsruimte';
  }
}

const link = (o: CapOptions, p: string) => (o.publicOrigin ? o.publicOrigin.replace(/\/$/, '') + p : null);

export function msgTypeOf(m: DispatchMessage, first: FirstMessage | null): 'Alert' | 'Update' {
  return m.kind === 'raised' || !first || first.messageId === m.messageId ? 'Alert' : 'Update';
}

export function buildCap(m: DispatchMessage, first: FirstMessage | null, o: CapOptions): string {
  const a = m.alert;
  const msgType = msgTypeOf(m, first);
  const alert = create({ version: '1.0', encoding: 'UTF-8' }).ele(CAP_NS, 'alert');
  const el = (parent: ReturnType<typeof alert.ele>, name: string, text: string | number) => parent.ele(name).txt(xmlText(text)).up();
  el(alert, 'identifier', capIdentifier(m.messageId));
  el(alert, 'sender', o.sender);
  el(alert, 'sent', capTime(m.at));
  el(alert, 'status', 'Actual');
  el(alert, 'msgType', msgType);
  el(alert, 'source', 'Uitkijk cameratoezicht');
  // Police data (Wpg): for the dispatch centre only.
  el(alert, 'scope', 'Restricted');
  el(alert, 'restriction', 'Alleen voor de meldkamer: politiegegevens (Wpg)');
  el(alert, 'note', note(m));
  if (msgType === 'Update') el(alert, 'references', `${o.sender},${capIdentifier(first!.messageId)},${capTime(first!.at)}`);
  el(alert, 'incidents', `uitkijk-incident-${a.incidentId}`);

  const info = alert.ele('info');
  el(info, 'language', 'nl-NL');
  el(info, 'category', a.category.capCategory);
  el(info, 'event', a.category.nl);
  el(info, 'urgency', urgency[a.priority]);
  el(info, 'severity', severity[a.priority]);
  el(info, 'certainty', 'Observed');
  const code = (name: string, value: string) => info.ele('eventCode').ele('valueName').txt(name).up().ele('value').txt(xmlText(value)).up().up();
  code('LMC', a.category.topLevel.nl);
  code('uitkijk:categorie', a.category.id);
  code('uitkijk:prioriteit', `prio ${a.priority}`);
  el(info, 'effective', capTime(a.taggedAt));
  el(info, 'senderName', o.senderName);
  el(info, 'headline', `Prio ${a.priority}: ${a.category.nl} – ${a.location.street}, ${a.location.municipalityName}`.slice(0, 160));
  const description = [
    a.persons && `Personen: ${a.persons}`,
    a.notes && `Notities: ${a.notes}`,
    a.location.text && `Locatie: ${a.location.text}`,
    `Camera's: ${a.cameras.map((c) => c.name).join(', ')}`,
  ].filter(Boolean).join('\n\n');
  el(info, 'description', description);
  const web = link(o, `/#/dispatch?alert=${a.id}`);
  if (web) el(info, 'web', web);
  const param = (name: string, value: string | number) => info.ele('parameter').ele('valueName').txt(name).up().ele('value').txt(xmlText(value)).up().up();
  param('uitkijk:meldingsnummer', a.incidentNumber);
  param('uitkijk:alert', a.id);
  param('uitkijk:status', a.status);
  param('uitkijk:versie', a.version);
  if (a.escalatedAt) param('uitkijk:geescaleerd', capTime(a.escalatedAt));
  for (const c of a.cameras) param('uitkijk:camera', `${c.id} ${c.name}`);
  const snapshot = a.snapshot.url ? link(o, a.snapshot.url) : null;
  if (snapshot) {
    info.ele('resource').ele('resourceDesc').txt('Snapshot van het gemelde moment').up().ele('mimeType').txt('image/jpeg').up().ele('uri').txt(xmlText(snapshot)).up().up();
  }
  const areaDesc = `${a.location.street}, ${a.location.municipalityName}${a.location.text ? ` (${a.location.text})` : ''}`;
  info.ele('area').ele('areaDesc').txt(xmlText(areaDesc)).up().ele('circle').txt(`${a.location.lat},${a.location.lon} 0.1`).up().up();
  return alert.end({ prettyPrint: true });
}

/** The same message for receivers that prefer JSON: the CAP envelope fields plus the alert as the consoles see it. */
export function buildJsonTwin(m: DispatchMessage, first: FirstMessage | null, o: CapOptions): string {
  const msgType = msgTypeOf(m, first);
  return JSON.stringify({
    type: 'uitkijk.dispatch.v1',
    identifier: capIdentifier(m.messageId),
    sender: o.sender,
    sent: capTime(m.at),
    msgType,
    references: msgType === 'Update' ? `${o.sender},${capIdentifier(first!.messageId)},${capTime(first!.at)}` : null,
    messageId: m.messageId,
    kind: m.kind,
    note: note(m),
    links: { alert: link(o, `/#/dispatch?alert=${m.alert.id}`), snapshot: m.alert.snapshot.url ? link(o, m.alert.snapshot.url) : null },
    alert: m.alert,
  });
}
