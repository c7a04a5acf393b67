import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatClock } from '../format';

/** The room's local time (Europe/Amsterdam), whatever the machine's own zone. */
export function Clock() {
  const { t, i18n } = useTranslation();
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 10_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className="clock" title={t('app.clockTitle')}>
      <span className="visually-hidden">{t('app.clockTitle')}: </span>
      <time dateTime={now.toISOString()}>{formatClock(now, i18n.language)}</time>
    </span>
  );
}
