import { useId, type ReactNode } from 'react';

/** A panel for a capability that a later issue delivers: it says plainly that there is nothing yet. */
export function PlaceholderPanel({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      <div className="empty">{children}</div>
    </section>
  );
}
