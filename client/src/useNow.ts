import { useEffect, useState } from 'react';

/**
 * The current time (epoch ms), refreshed every `everyMs`: for ages and countdowns. `null`: not refreshed (a countdown
 * that is not running); when a refresh starts (again) the time is taken at once.
 */
export function useNow(everyMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (everyMs === null) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
