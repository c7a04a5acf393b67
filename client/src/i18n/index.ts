// i18next setup: Dutch by default, English beside it; the choice is remembered and sets <html lang>.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import nl from './nl.json';
import en from './en.json';

// Both languages must hold exactly the same keys: these two assignments fail to compile when one lacks a key.
const enHasEveryKey: typeof nl = en;
const nlHasEveryKey: typeof en = nl;

export const languages = ['nl', 'en'] as const;
export type Language = (typeof languages)[number];
const STORAGE_KEY = 'uitkijk.language';

export const isLanguage = (v: unknown): v is Language => typeof v === 'string' && (languages as readonly string[]).includes(v);

function storedLanguage(): Language {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(v)) return v;
  } catch { /* storage blocked: use the default */ }
  return 'nl';
}

function applyToDocument(lng: string) {
  document.documentElement.lang = lng;
  document.title = i18n.t('app.documentTitle');
}

void i18n.use(initReactI18next).init({
  resources: { nl: { translation: nlHasEveryKey }, en: { translation: enHasEveryKey } },
  lng: storedLanguage(),
  fallbackLng: 'nl',
  supportedLngs: [...languages],
  interpolation: { escapeValue: false }, // React escapes; user text is never HTML.
  initAsync: false,
  returnNull: false,
});
applyToDocument(i18n.language);

i18n.on('languageChanged', (lng) => {
  applyToDocument(lng);
  try { localStorage.setItem(STORAGE_KEY, lng); } catch { /* storage blocked */ }
});

/** The locale used for dates and sorting. */
export const localeOf = (lng: string) => (lng === 'en' ? 'en-GB' : 'nl-NL');

export default i18n;
