// One live camera stream in one <video>: mpegts.js (flvPlayer.ts) over WebSocket-FLV from the media server, with a fresh
// play grant for every (re)connect, reconnect with backoff on error or stall, and the measured live-edge latency.
// Plain TypeScript (no React), so the component around it only starts and stops it.
import type mpegts from 'mpegts.js';
import type { PlayGrant, StreamKind } from '../api/endpoints';
import { ApiError } from '../api/http';
import { markLive } from './marks';

export type LivePhase =
  | 'connecting'  // asking for a grant, opening the socket, waiting for the first frame
  | 'playing'     // frames arrive and the video advances
  | 'retrying'    // failed or stalled: the next attempt is scheduled
  | 'refused'     // the server said no (no permission, camera disabled or gone): no retry
  | 'stopped';

export interface LiveStreamState {
  phase: LivePhase;
  /** The stream the server granted (a wall asking for 'sub' gets 'main' when the camera has no live sub stream). */
  granted: StreamKind | null;
  /** Live-edge distance: end of the buffered video minus the playing position, in ms. */
  latencyMs: number | null;
  /** Decoded picture size. */
  width: number;
  height: number;
  /** Time from the start of this attempt (grant request) to the first shown frame, in ms. */
  firstFrameMs: number | null;
  /** Consecutive failed attempts; the delay before the next one grows with it. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while retrying. */
  retryAt: number | null;
  /** Why the last attempt ended or was refused (an error code), for the tile and the console. */
  reason: string | null;
}

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 15_000;
/** Video not advancing this long while the camera is online counts as a stall. */
export const STALL_MS = 3000;
/** The first frame must arrive this long after the socket opens (the media server's GOP cache makes it ~instant). */
const FIRST_FRAME_TIMEOUT_MS = 8000;
/** Playing this long without trouble resets the backoff. */
const HEALTHY_AFTER_MS = 5000;
const TICK_MS = 1000;

/** 1 s, 2 s, 4 s, 8 s, then 15 s: the delay before reconnect attempt `attempt` (1-based). */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, attempt - 1), BACKOFF_MAX_MS);
}

/** The WebSocket URL of a grant: same host the console was loaded from, the media server's port. */
export function playSocketUrl(grant: PlayGrant, loc: Pick<Location, 'hostname' | 'protocol'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${grant.host ?? loc.hostname}:${grant.port}${grant.path}`;
}

const refusedCodes = new Set([401, 403, 404, 409]);

// Loaded on the first play, then cached by the module system.
const loadFlvPlayer = () => import('./flvPlayer');
/** Starts loading the player module before the first play needs it (a wall mounts before the camera status is known). */
export function preloadFlvPlayer(): void { loadFlvPlayer().catch(() => { /* the first play tries again and reports it */ }); }

interface Options {
  cameraId: string;
  wanted: StreamKind;
  requestGrant(cameraId: string, stream: StreamKind): Promise<PlayGrant>;
  onChange(state: LiveStreamState): void;
}

export class LiveStream {
  private state: LiveStreamState = { phase: 'stopped', granted: null, latencyMs: null, width: 0, height: 0, firstFrameMs: null, attempt: 0, retryAt: null, reason: null };
  private player: mpegts.Player | null = null;
  /** Bumped on every attempt and on stop: async work of an older attempt sees it changed and gives up. */
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private attemptStartedAt = 0;
  private openedAt = 0;
  private lastTime = -1;
  private lastProgressAt = 0;
  private playingSince = 0;
  private running = false;

  constructor(private readonly video: HTMLVideoElement, private readonly opts: Options) {
    // The wall is silent and never asks for a click: muted inline autoplay is allowed everywhere.
    video.muted = true;
    video.defaultMuted = true;
    video.playsInline = true;
    video.autoplay = true;
  }

  get current(): LiveStreamState { return this.state; }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    void this.connect();
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.tickTimer = this.retryTimer = null;
    this.closePlayer();
    this.update({ phase: 'stopped', latencyMs: null, retryAt: null });
  }

  /** Reconnect at once, without backoff (e.g. the sub stream came online while this tile plays the main stream). */
  restart(): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.closePlayer();
    this.update({ attempt: 0 });
    void this.connect();
  }

  private update(patch: Partial<LiveStreamState>): void {
    this.state = { ...this.state, ...patch };
    this.opts.onChange(this.state);
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    this.attemptStartedAt = performance.now();
    markLive('grant-requested', this.opts.cameraId);
    this.update({ phase: 'connecting', retryAt: null, latencyMs: null, firstFrameMs: null });
    let grant: PlayGrant;
    let flv: Awaited<ReturnType<typeof loadFlvPlayer>>;
    try {
      // A fresh grant every time: tokens live 60 s and are checked only when the socket opens.
      [grant, flv] = await Promise.all([this.opts.requestGrant(this.opts.cameraId, this.opts.wanted), loadFlvPlayer()]);
    } catch (e) {
      if (gen !== this.generation) return;
      if (e instanceof ApiError && refusedCodes.has(e.status)) {
        this.update({ phase: 'refused', reason: e.code });
        return;
      }
      this.fail(gen, e instanceof ApiError ? e.code : 'connect_failed');
      return;
    }
    if (gen !== this.generation) return;
    markLive('grant-received', this.opts.cameraId);

    const { player, onEnd } = flv.createFlvPlayer(playSocketUrl(grant));
    this.player = player;
    onEnd((reason) => this.fail(gen, reason));
    player.attachMediaElement(this.video);
    this.openedAt = performance.now();
    this.lastTime = -1;
    this.lastProgressAt = 0;
    this.playingSince = 0;
    this.update({ granted: grant.stream });
    try {
      player.load();
      const played = player.play();
      if (played && typeof (played as Promise<void>).catch === 'function') (played as Promise<void>).catch(() => { /* the tick notices a video that does not advance */ });
    } catch (e) {
      this.fail(gen, e instanceof Error ? e.name : 'load_failed');
      return;
    }
    this.watchFirstFrame(gen);
  }

  /** The first frame on screen, as exactly as the browser tells it. */
  private watchFirstFrame(gen: number): void {
    const v = this.video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
    const shown = () => {
      if (gen !== this.generation || this.state.firstFrameMs !== null) return;
      const now = performance.now();
      markLive('first-frame', this.opts.cameraId);
      this.lastProgressAt = now;
      this.playingSince = now;
      this.lastTime = this.video.currentTime;
      this.update({ phase: 'playing', firstFrameMs: Math.round(now - this.attemptStartedAt), width: this.video.videoWidth, height: this.video.videoHeight, reason: null });
    };
    if (typeof v.requestVideoFrameCallback === 'function') v.requestVideoFrameCallback(shown);
    else this.video.addEventListener('playing', shown, { once: true });
  }

  private tick(): void {
    if (!this.player || this.state.phase === 'retrying') return;
    const now = performance.now();
    const v = this.video;
    const t = v.currentTime;
    if (t > this.lastTime + 0.001) {
      this.lastProgressAt = now;
      this.lastTime = t;
      if (this.state.phase === 'connecting' && v.videoWidth > 0) {
        // Chromium without requestVideoFrameCallback: the tick sees playback first.
        this.playingSince = now;
        this.update({ phase: 'playing', firstFrameMs: Math.round(now - this.attemptStartedAt), reason: null });
      }
    }
    if (this.state.phase === 'playing') {
      if (this.state.attempt > 0 && now - this.playingSince > HEALTHY_AFTER_MS) this.update({ attempt: 0 });
      if (now - this.lastProgressAt > STALL_MS) return this.fail(this.generation, 'stalled');
      const b = v.buffered;
      const latencyMs = b.length ? Math.max(0, Math.round((b.end(b.length - 1) - t) * 1000)) : null;
      if (latencyMs !== this.state.latencyMs || v.videoWidth !== this.state.width || v.videoHeight !== this.state.height) {
        this.update({ latencyMs, width: v.videoWidth, height: v.videoHeight });
      }
    } else if (this.state.phase === 'connecting' && now - this.openedAt > FIRST_FRAME_TIMEOUT_MS) {
      this.fail(this.generation, 'no_first_frame');
    }
  }

  private fail(gen: number, reason: string): void {
    if (gen !== this.generation || !this.running || this.state.phase === 'retrying') return;
    this.generation++;
    this.closePlayer();
    const attempt = this.state.attempt + 1;
    const delay = backoffDelay(attempt);
    this.update({ phase: 'retrying', attempt, retryAt: Date.now() + delay, reason, latencyMs: null });
    this.retryTimer = setTimeout(() => { this.retryTimer = null; if (this.running) void this.connect(); }, delay);
  }

  private closePlayer(): void {
    const p = this.player;
    this.player = null;
    if (!p) return;
    // The documented teardown order; each step guarded, because a player that failed half-way can throw.
    try { p.pause(); } catch { /* already torn */ }
    try { p.unload(); } catch { /* already torn */ }
    try { p.detachMediaElement(); } catch { /* already torn */ }
    try { p.destroy(); } catch { /* already torn */ }
    // Release the MediaSource the element still points at.
    this.video.removeAttribute('src');
    try { this.video.load(); } catch { /* nothing loaded */ }
  }
}
