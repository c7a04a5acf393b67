// The live cover: an SVG layer over a <video> that hides the camera's masked areas. Its viewBox is the video's own
// size and preserveAspectRatio "meet" scales it exactly like the video's object-fit: contain, so the browser's layout
// keeps the cover on the letterboxed picture at every size (resize, wall layout, focus view) without any script in
// between. The size is set straight on the element when the video reports a new one, before its first frame shows.
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { CameraMasks } from '../../../server/masks/schema';
import { formatClock } from '../format';
import { coverAt, FALLBACK_SIZE, MASK_COVER_COLOUR, nextLiftEnd, svgPoints } from './geometry';

interface Props {
  video: RefObject<HTMLVideoElement | null>;
  masks: CameraMasks;
  /** Small tiles: the marker says it in two words; the tooltip has who and until when. */
  compact?: boolean;
}

export function MaskCover({ video, masks, compact }: Props) {
  const { t, i18n } = useTranslation();
  const svg = useRef<SVGSVGElement>(null);
  const picture = useRef<SVGGElement>(null);
  const size = useVideoSize(video, svg, picture);
  // A lift ends by itself at `until`: cover again at that moment, whether or not a push arrives.
  const [now, setNow] = useState(() => Date.now());
  const end = nextLiftEnd(masks, now);
  useEffect(() => {
    if (end === null) return;
    const id = setTimeout(() => setNow(Date.now()), Math.max(0, end - Date.now()) + 50);
    return () => clearTimeout(id);
  }, [end]);
  useEffect(() => setNow(Date.now()), [masks]);

  const { covered, lifted, lifts } = coverAt(masks, now);
  const { width, height } = size;
  const byLift = lifts.map((l) => t('masks.liftedBy', { name: l.liftedBy, until: formatClock(new Date(l.until), i18n.language), reason: l.reason }));
  return (
    <>
      <svg ref={svg} className="mask-cover" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false"
        data-testid="mask-cover" data-covered={covered.length} data-lifted={lifted.length}>
        {/* The polygons stay in picture fractions; only this scale and the viewBox follow the video's size. */}
        <g ref={picture} transform={`scale(${width} ${height})`}>
          {covered.map((m) => (
            <polygon key={m.id} points={svgPoints(m.points, 1, 1)} fill={MASK_COVER_COLOUR} stroke={MASK_COVER_COLOUR}
              className="mask-cover__mask" />
          ))}
          {lifted.map((m) => <polygon key={m.id} points={svgPoints(m.points, 1, 1)} className="mask-cover__lifted" />)}
        </g>
      </svg>
      {lifts.length > 0 && (
        <p className="mask-lifted" data-testid="mask-lifted" title={compact ? byLift.join('\n') : undefined}>
          <span className="mask-lifted__icon" aria-hidden="true" />
          {compact ? t('masks.liftedShort') : <>{t('masks.lifted', { count: lifted.length })} · {byLift.join(' · ')}</>}
          {compact && <span className="visually-hidden">: {byLift.join('; ')}</span>}
        </p>
      )}
    </>
  );
}

/** The video's picture size; written onto the SVG in the media event itself, so a new size never meets an old cover. */
function useVideoSize(video: RefObject<HTMLVideoElement | null>, svg: RefObject<SVGSVGElement | null>, picture: RefObject<SVGGElement | null>) {
  const [size, setSize] = useState<{ width: number; height: number }>(FALLBACK_SIZE);
  useLayoutEffect(() => {
    const v = video.current;
    if (!v) return;
    const read = () => {
      const width = v.videoWidth || FALLBACK_SIZE.width;
      const height = v.videoHeight || FALLBACK_SIZE.height;
      svg.current?.setAttribute('viewBox', `0 0 ${width} ${height}`);
      picture.current?.setAttribute('transform', `scale(${width} ${height})`);
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    };
    read();
    v.addEventListener('loadedmetadata', read);
    v.addEventListener('resize', read);
    return () => { v.removeEventListener('loadedmetadata', read); v.removeEventListener('resize', read); };
  }, [video, svg, picture]);
  return size;
}
