// A date (or date and time, or month) typed as the console's language writes it, on a 24-hour clock, instead of the
// browser's native input, which follows the browser's locale (see dateText.ts). The form keeps the same values it kept
// with the native input ('2026-06-12T21:00'); while the text is not a date yet, the form gets the text itself, so its
// own check marks the field.
import { useEffect, useState, type InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateText, parseDateText, type DateTextKind } from '../dateText';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> {
  kind: DateTextKind;
  value: string;
  onChange(value: string): void;
}

export function DateTextInput({ kind, value, onChange, onBlur, className, ...rest }: Props) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const [text, setText] = useState(() => formatDateText(value, kind, lng));
  // A value set from outside (a default, a reset) is shown; not while the text typed already says it.
  useEffect(() => {
    setText((cur) => (cur === value || parseDateText(cur, kind) === value ? cur : formatDateText(value, kind, lng)));
  }, [value, kind, lng]);
  const format = t(`dateInput.${kind}`);
  return (
    <input {...rest} type="text" value={text} placeholder={format} title={format} autoComplete="off" spellCheck={false}
      className={`date-text date-text--${kind}${className ? ` ${className}` : ''}`} data-kind={kind}
      onChange={(e) => {
        const typed = e.target.value;
        setText(typed);
        onChange(parseDateText(typed, kind) ?? (typed.trim() === '' ? '' : typed));
      }}
      onBlur={(e) => {
        // Written out in full once the field is left: "1-6-2026 9:00" reads back as 01-06-2026 09:00.
        const parsed = parseDateText(text, kind);
        if (parsed) setText(formatDateText(parsed, kind, lng));
        onBlur?.(e);
      }} />
  );
}
