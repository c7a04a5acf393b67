// The ages in the dispatch queue ("12 s", "3 min") tick without React: one timer for the whole queue writes the text
// of the age elements that are on screen (an IntersectionObserver tells which), and only when the text changes. A
// row scrolled into view is brought up to date at once. So a second passing costs a few text nodes, not a render of
// the queue, however many alerts wait in it.
import { useLayoutEffect, useRef, useState } from 'react';

type Format = (ms: number) => string;

export class AgeClock {
  private watched = new Map<Element, { from: number; text: string }>();
  private visible = new Set<Element>();
  private io: IntersectionObserver | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private format: Format, private everyMs = 1000) {
    if (typeof IntersectionObserver === 'function') {
      this.io = new IntersectionObserver((entries) => {
        const now = Date.now();
        for (const e of entries) {
          if (!this.watched.has(e.target)) continue;
          if (e.isIntersecting) { this.visible.add(e.target); this.write(e.target, now); } else this.visible.delete(e.target);
        }
      }, { rootMargin: '200px 0px' });
    }
  }

  /** Shows the age of `from` (epoch ms) in `el` from now on; returns the function that stops it. */
  watch(el: Element, from: number): () => void {
    this.watched.set(el, { from, text: '' });
    this.write(el, Date.now());
    if (this.io) this.io.observe(el); else this.visible.add(el);
    this.timer ??= setInterval(() => this.tick(), this.everyMs);
    return () => {
      this.watched.delete(el);
      this.visible.delete(el);
      this.io?.unobserve(el);
      if (this.watched.size === 0 && this.timer) { clearInterval(this.timer); this.timer = null; }
    };
  }

  /** A new wording (another language): every age is written again. */
  setFormat(format: Format): void {
    if (format === this.format) return;
    this.format = format;
    const now = Date.now();
    for (const el of this.watched.keys()) this.write(el, now);
  }

  tick(): void {
    const now = Date.now();
    for (const el of this.visible) this.write(el, now);
  }

  dispose(): void {
    this.io?.disconnect();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
    this.visible.clear();
  }

  private write(el: Element, now: number): void {
    const w = this.watched.get(el);
    if (!w) return;
    const text = this.format(now - w.from);
    if (text !== w.text) { w.text = text; el.textContent = text; }
  }
}

/** One AgeClock for a component's lifetime, kept on the given wording. */
export function useAgeClock(format: Format): AgeClock {
  const [clock] = useState(() => new AgeClock(format));
  useLayoutEffect(() => { clock.setFormat(format); }, [clock, format]);
  useLayoutEffect(() => () => clock.dispose(), [clock]);
  return clock;
}

/** An element whose text is the age of `since` (ISO time), kept up to date by `clock`. React never renders its text. */
export function Age({ since, clock, className }: { since: string; clock: AgeClock; className?: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => clock.watch(ref.current!, Date.parse(since)), [clock, since]);
  return <span ref={ref} className={className} title={since} />;
}
