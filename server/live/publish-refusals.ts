// Folds a camera's repeated publish refusals into episodes, for the audit trail and the log alike.
//
// A camera that is refused (outside its window, an old key) retries every few seconds, for hours: one audit row and
// one warning per try buried everything else. The audit trail is append-only (hash chain, no UPDATE), so an episode
// is written forward, never corrected: its first refusal at once (count 1), the refusals after it counted and
// written as one row per minute (count, first and last time, the streams and addresses seen). An episode ends after a
// minute without a refusal, when the camera goes live, or when the server stops (what was counted is written then).
// So the sum of `count` over a camera's `live.publish_refused` rows is the number of times it was refused.
import type { Logger } from '../log.js';

export interface PublishRefusal { cameraId: string; stream: string | null; reason: string; remoteAddr: string }

/** One audit row of refusals: subject is the camera, details as described above. */
export interface RefusalRow { subject: string; remoteAddr: string | null; details: Record<string, unknown> }

interface Episode {
  cameraId: string; reason: string;
  // Refusals since the last row written.
  count: number; firstAt: Date | null; lastAt: Date | null; streams: Set<string>; remoteAddrs: Set<string>;
  timer: NodeJS.Timeout;
}

const MAX_ADDRESSES = 10; // a row names at most this many sources; the count still covers them all

export class PublishRefusals {
  private episodes = new Map<string, Episode>();
  private writes = new Set<Promise<unknown>>();
  private readonly foldMs: number;
  private readonly now: () => Date;

  constructor(private d: { write: (row: RefusalRow) => Promise<void>; log: Logger; foldMs?: number; now?: () => Date }) {
    this.foldMs = d.foldMs ?? 60_000;
    this.now = d.now ?? (() => new Date());
  }

  refused(e: PublishRefusal): void {
    const key = `${e.cameraId}\n${e.reason}`;
    const ep = this.episodes.get(key);
    if (ep) {
      const at = this.now();
      ep.count += 1;
      ep.firstAt ??= at;
      ep.lastAt = at;
      if (e.stream) ep.streams.add(e.stream);
      if (ep.remoteAddrs.size < MAX_ADDRESSES) ep.remoteAddrs.add(e.remoteAddr);
      return;
    }
    this.d.log.warn({ cameraId: e.cameraId, stream: e.stream, reason: e.reason, remoteAddr: e.remoteAddr }, 'publish refused (repeats are folded: one row and one warning per minute)');
    this.write({ subject: e.cameraId, remoteAddr: e.remoteAddr, details: { reason: e.reason, stream: e.stream, count: 1 } });
    const episode: Episode = { cameraId: e.cameraId, reason: e.reason, count: 0, firstAt: null, lastAt: null, streams: new Set(), remoteAddrs: new Set(), timer: null! };
    episode.timer = this.tick(key, episode);
    this.episodes.set(key, episode);
  }

  /** The camera went live: its refusal episodes end (what they counted is written now). */
  accepted(cameraId: string): void {
    for (const [key, ep] of this.episodes) if (ep.cameraId === cameraId) this.end(key, ep);
  }

  /** Writes what every episode counted and waits for the rows (before the database closes). */
  async stop(): Promise<void> {
    for (const [key, ep] of this.episodes) this.end(key, ep);
    await Promise.all([...this.writes]);
  }

  private tick(key: string, ep: Episode): NodeJS.Timeout {
    const timer = setTimeout(() => {
      // A quiet minute ends the episode; otherwise its minute is written and the next one counted.
      if (ep.count === 0) { this.episodes.delete(key); return; }
      this.flush(ep);
      ep.timer = this.tick(key, ep);
    }, this.foldMs);
    timer.unref();
    return timer;
  }

  private end(key: string, ep: Episode) {
    clearTimeout(ep.timer);
    this.episodes.delete(key);
    this.flush(ep);
  }

  private flush(ep: Episode) {
    if (ep.count === 0) return;
    const { count, firstAt, lastAt } = ep;
    const remoteAddrs = [...ep.remoteAddrs], streams = [...ep.streams];
    this.d.log.warn({ cameraId: ep.cameraId, reason: ep.reason, count, firstAt, lastAt, streams, remoteAddrs }, `publish refused ${count} more time(s) (folded)`);
    this.write({ subject: ep.cameraId, remoteAddr: remoteAddrs.length === 1 ? remoteAddrs[0]! : null,
      details: { reason: ep.reason, streams, count, firstAt: firstAt!.toISOString(), lastAt: lastAt!.toISOString(), remoteAddrs } });
    Object.assign(ep, { count: 0, firstAt: null, lastAt: null, streams: new Set(), remoteAddrs: new Set() });
  }

  private write(row: RefusalRow) {
    const w = this.d.write(row).catch((err) => this.d.log.error({ err, cameraId: row.subject }, 'audit write failed')).finally(() => this.writes.delete(w));
    this.writes.add(w);
  }
}
