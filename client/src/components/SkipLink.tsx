import { useTranslation } from 'react-i18next';

/** The first tab stop on every page: jump past the header straight to the work. */
export function SkipLink() {
  const { t } = useTranslation();
  return (
    <a className="skip-link" href="#main" onClick={(e) => {
      e.preventDefault();
      document.getElementById('main')?.focus();
    }}>{t('app.skipToContent')}</a>
  );
}
