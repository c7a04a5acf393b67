// The wall's keyboard shortcuts as a table in a dialog (?). M, B and T only where the console has them.
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';

export function ShortcutHelp({ onClose, tagging, preserving, playback }: { onClose(): void; tagging: boolean; preserving: boolean; playback: boolean }) {
  const { t } = useTranslation();
  const rows: [string[], string][] = [
    ...(tagging ? [[['M'], t('shortcuts.keys.tag')] as [string[], string]] : []),
    ...(preserving ? [[['B'], t('shortcuts.keys.preserve')] as [string[], string]] : []),
    ...(playback ? [[['T'], t('shortcuts.keys.playback')] as [string[], string]] : []),
    [['1', '…', '9'], t('shortcuts.keys.tile')],
    [['←', '↑', '→', '↓'], t('shortcuts.keys.arrows')],
    [['F'], t('shortcuts.keys.focus')],
    [['Esc'], t('shortcuts.keys.escape')],
    [['G'], t('shortcuts.keys.layout')],
    [['/'], t('shortcuts.keys.search')],
    [['?'], t('shortcuts.keys.help')],
  ];
  return (
    <Dialog title={t('shortcuts.title')} onClose={onClose} testId="shortcut-help">
      <p className="muted">{t('shortcuts.intro')}</p>
      <table className="table shortcut-table">
        <thead><tr><th scope="col">{t('shortcuts.key')}</th><th scope="col">{t('shortcuts.does')}</th></tr></thead>
        <tbody>
          {rows.map(([keys, what]) => (
            <tr key={what}>
              <td className="nowrap">
                {keys.map((k, i) => (k === '…' ? <span key={i} className="muted"> … </span> : <kbd key={i}>{k}</kbd>))}
                {keys[0] === '←' && <span className="visually-hidden">{t('shortcuts.arrowKeys')}</span>}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t('shortcuts.mouse')}</p>
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onClose} autoFocus>{t('common.close')}</button>
      </div>
    </Dialog>
  );
}
