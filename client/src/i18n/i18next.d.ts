// Typed translation keys: t('…') with a key missing from nl.json fails to compile.
import 'i18next';
import type nl from './nl.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof nl };
    returnNull: false;
  }
}
