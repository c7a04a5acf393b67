// The wall's bar: its heading, the layout (1, 4, 9 or 16 tiles), the selected tile and the buttons of the shortcuts.
import { useTranslation } from 'react-i18next';
import type { WallLayout } from '../api/endpoints';
import type { Wall } from './useWall';
import { columnsOf, LAYOUTS } from './wall';

interface Props {
  headingId: string;
  wall: Wall;
  onTag?(tile: number): void;
  onPreserve?(tile: number): void;
  onHelp(): void;
}

export function WallToolbar({ headingId, wall, onTag, onPreserve, onHelp }: Props) {
  const { t } = useTranslation();
  const { layout, selected, focused } = wall;
  return (
    <div className="camera-wall__bar">
      <h2 id={headingId}>{t('wall.title')}</h2>
      <div className="segmented" role="group" aria-label={t('wall.layout')}>
        {LAYOUTS.map((l) => (
          <button key={l} type="button" className="segmented__option" aria-pressed={l === layout} onClick={() => wall.setLayout(l)}
            data-testid={`layout-${l}`} aria-label={t('wall.layoutOption', { count: l })}>
            <LayoutIcon layout={l} />
            <span aria-hidden="true">{l}</span>
          </button>
        ))}
      </div>
      <span className="camera-wall__selected" data-testid="selected-tile">{t('wall.selectedTile', { n: selected + 1 })}</span>
      <button type="button" className="button button--small" onClick={() => wall.setFocused(!focused)} aria-keyshortcuts="F" data-testid="focus-toggle">
        {focused ? t('wall.unfocus') : t('wall.focus')} <kbd>{focused ? 'Esc' : 'F'}</kbd>
      </button>
      {onTag && (
        <button type="button" className="button button--small button--alarm" onClick={() => onTag(selected)} aria-keyshortcuts="M" data-testid="tag-incident">
          {t('wall.tag')} <kbd>M</kbd>
        </button>
      )}
      {onPreserve && (
        <button type="button" className="button button--small" onClick={() => onPreserve(selected)} aria-keyshortcuts="B" data-testid="preserve-evidence">
          {t('wall.preserve')} <kbd>B</kbd>
        </button>
      )}
      <button type="button" className="button button--small button--quiet" onClick={onHelp} aria-keyshortcuts="?" data-testid="shortcut-help-open">
        {t('shortcuts.open')} <kbd>?</kbd>
      </button>
    </div>
  );
}

function LayoutIcon({ layout }: { layout: WallLayout }) {
  const n = columnsOf(layout);
  const cell = 14 / n;
  return (
    <svg className="layout-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {Array.from({ length: layout }, (_, i) => (
        <rect key={i} x={1 + (i % n) * cell + 0.5} y={1 + Math.floor(i / n) * cell + 0.5} width={cell - 1} height={cell - 1} rx="0.5" />
      ))}
    </svg>
  );
}
