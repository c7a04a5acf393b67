// The dispatch queue as the console keeps it: GET /api/alerts on connect and after every reconnect, and the
// 'dispatch:alert' outbox messages in between (delivered at least once: DispatchQueue drops a messageId it has seen
// and keeps the highest version of each alert). New and escalated alerts are signalled once each.
// The sorted list of open alerts is kept incrementally (a binary-search insert per message into one chunk, no resort of
// the whole queue), and each alert object and each chunk keep their identity until they change, so the console
// re-renders one chunk and one row for an alert that came in, however long the queue is.
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { dispatchMessageSchema, type Alert, type DispatchMessage } from '../../../server/dispatch/schema';
import { DispatchQueue } from '../../../server/dispatch/queue';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { useSession } from '../session/SessionContext';

export type SignalKind = 'new' | 'escalated';
export interface Signal { alert: Alert; kind: SignalKind; at: number }

export interface DispatchQueueState {
  queue: DispatchQueue;
  /** Open alerts: priority, then oldest first. A new array when (and only when) an open alert changed. */
  open: Alert[];
  /** The same alerts in chunks: a chunk is a new object only when one of its alerts changed (see OpenAlerts). */
  chunks: AlertChunk[];
  /** How many of `open` nobody has acknowledged yet. */
  unacknowledged: number;
  loaded: boolean;
  error: ApiError | null;
  reload(): Promise<void>;
  /** Puts an alert this console just changed into the queue (merged by version). */
  put(alert: Alert): void;
}

/** The queue's order (GET /api/alerts's): priority, then oldest first; the id breaks a tie so the order is total. */
export function queueOrder(x: Alert, y: Alert): number {
  return x.priority - y.priority || cmp(x.raisedAt, y.raisedAt) || cmp(x.id, y.id);
}
// ISO 8601 timestamps in one format compare as plain strings (no locale collation needed).
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The first index in `list` (sorted by queueOrder) whose alert does not come before `a`. */
function lowerBound(list: readonly Alert[], a: Alert): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (queueOrder(list[mid]!, a) < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * A run of consecutive open alerts in queue order. A chunk is replaced by a new object (same key) when one of its
 * alerts changes and is left as it is otherwise, so the console re-renders one chunk, not the whole queue.
 */
export interface AlertChunk { readonly key: number; readonly items: readonly Alert[] }

/** At most this many alerts in a chunk: a full chunk gets a new neighbour, or is split where an alert lands inside it. */
const CHUNK_MAX = 48;

/**
 * The open alerts in queue order, in chunks, changed one alert at a time: O(log n) to find the place, and a copy of
 * one chunk (at most CHUNK_MAX alerts), never a resort of the whole queue.
 */
export class OpenAlerts {
  private chunks: AlertChunk[] = [];
  private chunkOf = new Map<string, number>(); // alert id -> key of its chunk
  private nextKey = 1;
  private count = 0;
  unacknowledged = 0;

  get size(): number { return this.count; }
  /** The chunks as they are now (a new array; unchanged chunks are the same objects as before). */
  snapshot(): AlertChunk[] { return this.chunks.slice(); }

  /** Brings the list to exactly `all`'s open alerts, changing only what differs (chunks and rows keep their keys). */
  sync(all: Iterable<Alert>): void {
    const next = new Map<string, Alert>();
    for (const a of all) if (a.status !== 'closed') next.set(a.id, a);
    for (const c of this.chunks.slice()) {
      for (const a of c.items) {
        const n = next.get(a.id);
        if (n !== a) this.replace(a, n);
        next.delete(a.id);
      }
    }
    for (const a of [...next.values()].sort(queueOrder)) this.replace(undefined, a);
  }

  /** `before`: the alert as it was (undefined if new); `after`: as it is now (closed or undefined: not in the list). */
  replace(before: Alert | undefined, after: Alert | undefined): void {
    const id = before?.id ?? after?.id;
    if (id !== undefined && this.chunkOf.has(id)) this.remove(id);
    if (after && after.status !== 'closed') this.insert(after);
  }

  private remove(id: string): void {
    const key = this.chunkOf.get(id);
    const ci = this.chunks.findIndex((c) => c.key === key);
    const c = this.chunks[ci]!;
    const i = c.items.findIndex((x) => x.id === id);
    const gone = c.items[i]!;
    this.chunkOf.delete(id);
    this.count--;
    if (gone.status === 'raised') this.unacknowledged--;
    if (c.items.length === 1) this.chunks.splice(ci, 1);
    else this.chunks[ci] = { key: c.key, items: [...c.items.slice(0, i), ...c.items.slice(i + 1)] };
  }

  private insert(a: Alert): void {
    this.count++;
    if (a.status === 'raised') this.unacknowledged++;
    // The first chunk whose last alert does not come before `a` (else the last chunk): binary search over the chunks.
    let lo = 0, hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queueOrder(this.chunks[mid]!.items.at(-1)!, a) < 0) lo = mid + 1; else hi = mid;
    }
    const c = this.chunks[lo];
    if (!c) { this.put(0, this.fresh([a])); return; }
    const pos = lowerBound(c.items, a);
    const prev = this.chunks[lo - 1];
    // Before all of c (after all of the chunk before it): the end of that chunk if it has room. New alerts mostly land
    // here, at the end of their priority, so the chunks follow the priorities' boundaries.
    if (pos === 0 && prev && prev.items.length < CHUNK_MAX) { this.put(lo - 1, { key: prev.key, items: [...prev.items, a] }); return; }
    if (c.items.length < CHUNK_MAX) { this.put(lo, { key: c.key, items: [...c.items.slice(0, pos), a, ...c.items.slice(pos)] }); return; }
    // c is full. At either end: a chunk of its own.
    if (pos === 0) { this.chunks.splice(lo, 0, this.fresh([a])); return; }
    if (pos === c.items.length) { this.chunks.splice(lo + 1, 0, this.fresh([a])); return; }
    // In the middle of a full chunk (rare: where a priority starts inside a chunk): split it there. The larger part
    // keeps the key (its rows stay mounted); the smaller one gets a new key (its rows are mounted again, once).
    const left = [...c.items.slice(0, pos), a], right = c.items.slice(pos);
    const keepLeft = left.length >= right.length;
    const l = keepLeft ? { key: c.key, items: left } : this.fresh(left);
    const r = keepLeft ? this.fresh(right) : { key: c.key, items: right };
    this.chunks.splice(lo, 1, l, r);
    for (const x of l.items) this.chunkOf.set(x.id, l.key);
    for (const x of r.items) this.chunkOf.set(x.id, r.key);
  }

  /** A new chunk with a new key. */
  private fresh(items: Alert[]): AlertChunk {
    const key = this.nextKey++;
    for (const x of items) this.chunkOf.set(x.id, key);
    return { key, items };
  }

  /** Replaces the chunk at `i` (or adds one, at the end) and notes which chunk its alerts are in. */
  private put(i: number, c: AlertChunk): void {
    this.chunks[i] = c;
    for (const x of c.items) this.chunkOf.set(x.id, c.key);
  }
}

export function useDispatchQueue(onSignal: (s: Signal) => void): DispatchQueueState {
  const { socket } = useSession();
  const [queue] = useState(() => new DispatchQueue());
  const [list] = useState(() => new OpenAlerts());
  const [view, setView] = useState<{ open: Alert[]; chunks: AlertChunk[]; unacknowledged: number }>({ open: [], chunks: [], unacknowledged: 0 });
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const signal = useRef(onSignal);
  signal.current = onSignal;
  const loadedOnce = useRef(false);

  // Publishes the list to React once per task, however many changes came in it (React batches the rest).
  const pending = useRef(false);
  const dirty = useRef(false);
  const show = useCallback(() => {
    dirty.current = false;
    const chunks = list.snapshot();
    setView({ open: chunks.flatMap((c) => c.items), chunks, unacknowledged: list.unacknowledged });
  }, [list]);
  const publish = useCallback(() => {
    dirty.current = true;
    if (pending.current) return;
    pending.current = true;
    queueMicrotask(() => { pending.current = false; if (dirty.current) show(); });
  }, [show]);

  /** Merges one alert into the queue and, if it changed, into the sorted list. */
  const merge = useCallback((a: Alert): boolean => {
    const before = queue.get(a.id);
    queue.load([a]);
    const after = queue.get(a.id);
    if (after === before) return false;
    list.replace(before, after);
    return true;
  }, [queue, list]);

  const reload = useCallback(async () => {
    try {
      const alerts = await api.alerts({ state: 'open', limit: 500 });
      const wasOpen = queue.open();
      const fresh = alerts.filter((a) => !queue.get(a.id));
      queue.load(alerts);
      // Open here but missing from the list: closed while the connection was down. Fetch their last state.
      const ids = new Set(alerts.map((a) => a.id));
      const gone = wasOpen.filter((a) => !ids.has(a.id));
      await Promise.all(gone.map((a) => api.alert(a.id).then((x) => queue.load([x]), () => {})));
      // A full load: the list follows the queue (messages that came meanwhile are in it too), changed where it differs.
      list.sync(queue.open());
      publish();
      // After a reconnect, alerts raised meanwhile still signal (the first load only shows what is waiting).
      if (loadedOnce.current) for (const a of fresh) if (a.status === 'raised') signal.current({ alert: a, kind: a.escalatedAt ? 'escalated' : 'new', at: Date.now() });
      loadedOnce.current = true;
      setLoaded(true);
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  }, [queue, list, publish]);

  const put = useCallback((a: Alert) => { if (merge(a)) publish(); }, [merge, publish]);

  useEffect(() => {
    const onMessage = (payload: DispatchMessage) => {
      const p = dispatchMessageSchema.safeParse(payload);
      if (!p.success) { console.error('dispatch:alert does not match the contract', p.error.issues); return; }
      const m = p.data;
      const before = queue.get(m.alert.id);
      const r = queue.apply(m);
      if (r === 'duplicate' || r === 'stale') return;
      list.replace(before, queue.get(m.alert.id));
      // Rendered at once, in this task, with its signal (one render): an alert does not wait behind other work queued
      // in the page, and the render is small (one chunk, one row; see OpenAlerts).
      flushSync(() => {
        show();
        if (m.alert.status !== 'raised') return;
        if (m.kind === 'raised' && r === 'new') signal.current({ alert: m.alert, kind: 'new', at: Date.now() });
        else if (m.kind === 'escalated') signal.current({ alert: m.alert, kind: 'escalated', at: Date.now() });
      });
    };
    // On connect and on every reconnect: the queue as the server has it (messages missed meanwhile included).
    const onConnect = () => { void reload(); };
    socket.on('dispatch:alert', onMessage);
    socket.on('connect', onConnect);
    if (socket.connected) void reload();
    return () => { socket.off('dispatch:alert', onMessage); socket.off('connect', onConnect); };
  }, [socket, queue, list, reload, show]);

  return { queue, open: view.open, chunks: view.chunks, unacknowledged: view.unacknowledged, loaded, error, reload, put };
}
