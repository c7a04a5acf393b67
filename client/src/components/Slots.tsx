// The live regions a view or a form says its outcome in. They are always in the page (empty when there is nothing to
// say), so a screen reader announces the message that appears in them.
import type { ReactNode } from 'react';

/** A failure: role="alert". `children` come before the error (e.g. a conflict with its reload button). */
export function ErrorSlot({ error, className, testId, errorTestId, children }: {
  error: string | null | undefined; className?: string; testId?: string; errorTestId?: string; children?: ReactNode;
}) {
  return (
    <div role="alert" className={`alert-slot${className ? ` ${className}` : ''}`} data-testid={testId}>
      {children}
      {error && <p className="banner banner--error" data-testid={errorTestId}>{error}</p>}
    </div>
  );
}

/** What an action did: role="status". */
export function NoticeSlot({ notice, testId }: { notice: string | null | undefined; testId?: string }) {
  return <div role="status" className="status-slot">{notice && <p className="banner banner--ok" data-testid={testId}>{notice}</p>}</div>;
}
