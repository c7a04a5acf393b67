import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { isLanguage, languages } from '../i18n';

const names: Record<(typeof languages)[number], string> = { nl: 'Nederlands', en: 'English' };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <div className="language-switch">
      <label htmlFor={id}>{t('app.language')}</label>
      <select id={id} data-testid="language-switch" value={i18n.resolvedLanguage ?? i18n.language}
        onChange={(e) => { if (isLanguage(e.target.value)) void i18n.changeLanguage(e.target.value); }}>
        {languages.map((l) => <option key={l} value={l} lang={l}>{names[l]}</option>)}
      </select>
    </div>
  );
}
