// Turns API errors into text in the reader's language. Known server codes are translated; for the rest the
// server's own message is shown rather than nothing.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api/http';

const knownCodes = ['network', 'bad_response', 'bad_credentials', 'too_many_attempts', 'unauthenticated', 'forbidden', 'not_found',
  'conflict', 'self_lockout', 'not_rtmp', 'invalid_input', 'invalid_reference', 'bad_origin', 'too_large', 'malformed_json', 'internal', 'database_unavailable',
  'alert_conflict', 'alert_open', 'alert_closed', 'incident_closed', 'invalid_transition', 'unknown_category', 'unknown_camera', 'invalid_snapshot',
  'stale_version', 'no_snapshot', 'shift_open', 'shift_ended', 'not_your_shift', 'not_in_open_alert'] as const;
type KnownCode = (typeof knownCodes)[number];
const isKnown = (c: string): c is KnownCode => (knownCodes as readonly string[]).includes(c);

export function useErrorText(): (err: ApiError) => string {
  const { t } = useTranslation();
  return useCallback((err: ApiError) => {
    if (err.code === 'invalid_input') return t('errors.invalid_input', { detail: err.message });
    if (isKnown(err.code)) return t(`errors.${err.code}`);
    return t('errors.other', { status: err.status, detail: err.message });
  }, [t]);
}
