// The dispatch console's queue, pure and browser-safe: applies 'dispatch:alert' messages (delivered at least once,
// possibly twice or out of order after a reconnect) and GET /api/alerts snapshots, keeping each alert once at its
// highest version. The dispatcher console imports it; the integration tests feed it real socket messages.
import type { Alert, DispatchMessage } from './schema.js';

export type ApplyResult = 'new' | 'updated' | 'duplicate' | 'stale';

export class DispatchQueue {
  private alerts = new Map<string, Alert>();
  private seen = new Set<string>();
  private seenOrder: string[] = [];
  constructor(private maxSeen = 5000) {}

  /** 'new' (and kind 'raised' or 'escalated') is when a console signals with sound and colour. */
  apply(m: DispatchMessage): ApplyResult {
    if (this.seen.has(m.messageId)) return 'duplicate';
    this.seen.add(m.messageId);
    this.seenOrder.push(m.messageId);
    if (this.seenOrder.length > this.maxSeen) this.seen.delete(this.seenOrder.shift()!);
    return this.put(m.alert);
  }

  /** A full list from GET /api/alerts (after connecting or reconnecting): merged by version. */
  load(list: Alert[]): void { for (const a of list) this.put(a); }

  private put(a: Alert): ApplyResult {
    const known = this.alerts.get(a.id);
    if (known && known.version >= a.version) return 'stale';
    this.alerts.set(a.id, a);
    return known ? 'updated' : 'new';
  }

  get(id: string) { return this.alerts.get(id); }

  /** Open alerts as GET /api/alerts orders them: priority, then oldest first. */
  open(): Alert[] {
    return [...this.alerts.values()].filter((a) => a.status !== 'closed').sort((x, y) => x.priority - y.priority || x.raisedAt.localeCompare(y.raisedAt));
  }
}
