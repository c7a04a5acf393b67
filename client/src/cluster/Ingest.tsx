// Where an RTMP camera pushes, for the admin's camera registry: its node and that node's ingest address, read from
// GET /api/cluster. A camera on a node that is down cannot push there now: said in words, not only in colour.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ingestOf, type Ingest } from './labels';
import { useCluster } from './useCluster';

// The registry is a calmer page than the nodes view: a node going down shows within this.
const REFRESH_MS = 10_000;

/** (cameraId) → its node and push address; null until the cluster has answered, or for a camera it does not list. */
export function useIngest(): (cameraId: string) => Ingest | null {
  const { cluster } = useCluster(REFRESH_MS);
  return useCallback((cameraId: string) => (cluster ? ingestOf(cluster, cameraId, window.location.hostname) : null), [cluster]);
}

/** In a table cell (compact) or a form (with labels). */
export function IngestNote({ ingest, variant = 'cell' }: { ingest: Ingest | null; variant?: 'cell' | 'form' }) {
  const { t } = useTranslation();
  if (!ingest) return variant === 'form' ? <p className="hint">{t('cluster.ingest.unknown')}</p> : null;
  if (!ingest.nodeId || !ingest.address) return <span className="sub" data-testid="camera-ingest">{t('cluster.ingest.unassigned')}</span>;
  const down = !ingest.alive && <span className="ingest ingest--down" data-testid="camera-ingest-down">{t('cluster.ingest.down', { node: ingest.nodeId })}</span>;
  if (variant === 'cell') {
    return (
      <span className="sub" data-testid="camera-ingest">
        <span className="ingest mono">{t('cluster.ingest.on', { node: ingest.nodeId })}</span>
        <span className="ingest mono" data-testid="camera-ingest-address">{ingest.address}</span>
        {down}
      </span>
    );
  }
  return (
    <div className="field span-2" data-testid="camera-ingest">
      <span className="label">{t('cluster.ingest.address')}</span>
      <span className="mono readonly-value" data-testid="camera-ingest-address">{ingest.address}</span>
      <span className="hint">{t('cluster.ingest.node')}: <span className="mono">{ingest.nodeId}</span></span>
      {down}
    </div>
  );
}
