// The dispatch console's audible signal: short beeps made with Web Audio (no sound files). Browsers allow audio only
// after a user gesture: the console tries at once (the login click counts as one in the same page), else turns it on
// from the first click or key press, and shows whether it is on.
export type BeepPattern = 'new' | 'escalated' | 'test';

const patterns: Record<BeepPattern, { hz: number; ms: number; gap: number }[]> = {
  test: [{ hz: 880, ms: 110, gap: 0 }],
  // A new alert: two beeps. An escalation: three, higher and lower, harder to ignore.
  new: [{ hz: 880, ms: 130, gap: 90 }, { hz: 880, ms: 130, gap: 0 }],
  escalated: [{ hz: 988, ms: 150, gap: 70 }, { hz: 740, ms: 150, gap: 70 }, { hz: 988, ms: 220, gap: 0 }],
};

export class Beeper {
  private ctx: AudioContext | null = null;

  static get supported(): boolean { return typeof window !== 'undefined' && typeof window.AudioContext === 'function'; }

  /** Call from a click or key handler. True when audio runs. */
  async enable(): Promise<boolean> {
    if (!Beeper.supported) return false;
    this.ctx ??= new AudioContext();
    try { await this.ctx.resume(); } catch { return false; }
    return this.ctx.state === 'running';
  }

  /**
   * Without a gesture: true when the browser lets audio run already. resume() without one stays pending in Chromium
   * (it is not refused), so the answer is what the context says after a short wait.
   */
  async tryStart(waitMs = 300): Promise<boolean> {
    if (!Beeper.supported) return false;
    this.ctx ??= new AudioContext();
    if (this.ctx.state === 'running') return true;
    const resumed = this.ctx.resume().then(() => true, () => false);
    const waited = new Promise<boolean>((r) => setTimeout(() => r(false), waitMs));
    return (await Promise.race([resumed, waited])) && this.running;
  }

  disable(): void { void this.ctx?.suspend().catch(() => {}); }

  get running(): boolean { return this.ctx?.state === 'running'; }

  beep(pattern: BeepPattern): boolean {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return false;
    let at = ctx.currentTime + 0.02;
    for (const { hz, ms, gap } of patterns[pattern]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = hz;
      // A soft attack and release: a clear tone without clicks.
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.35, at + 0.012);
      gain.gain.setValueAtTime(0.35, at + ms / 1000 - 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + ms / 1000);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + ms / 1000 + 0.01);
      at += (ms + gap) / 1000;
    }
    return true;
  }

  close(): void { void this.ctx?.close().catch(() => {}); this.ctx = null; }
}
