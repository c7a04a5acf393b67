// The room's nodes at a glance (issue #14): which nodes run and when each last beat, which node runs each job, which
// cameras each node holds. The admin spreads the RTSP cameras (rebalance) and moves an RTMP camera to another live
// node; the supervisor sees the same, read only (the policy table: cluster.read / cluster.manage).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { clusterApi, type Cluster, type ClusterNode, type RebalanceResult } from '../api/cluster';
import { toApiError, type ApiError } from '../api/http';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { Field, FormActions } from '../components/Field';
import { useErrorText } from '../components/errors';
import { ErrorSlot } from '../components/Slots';
import { formatClock, formatDateTime } from '../format';
import { useNow } from '../useNow';
import { useCameraRegistry } from '../session/CameraRegistry';
import { useCan } from '../session/SessionContext';
import { ageParts, heartbeatAgeMs, ingestAddress, parseJob } from './labels';
import { useCluster } from './useCluster';

// A node's lease is 4 s and it beats every second: 5 s shows a node going down within a refresh or two.
const REFRESH_MS = 5000;

type Owner = Cluster['owners'][number];
type Outcome = { kind: 'rebalanced'; result: RebalanceResult } | { kind: 'moved'; text: string };

/** The cluster's own refusal in words; everything else as any API error. */
function useClusterErrorText() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (e: ApiError) => (e.code === 'node_not_live' ? t('cluster.errors.nodeNotLive') : errorText(e));
}

export function NodesView() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const manage = can('cluster.manage');
  const { cluster, fetchedAt, error, reload } = useCluster(REFRESH_MS);
  const errorText = useClusterErrorText();
  const { cameras } = useCameraRegistry();
  const names = useMemo(() => new Map((cameras ?? []).map((c) => [c.id, c.name])), [cameras]);
  const nameOf = (id: string) => names.get(id) ?? id;

  const [confirming, setConfirming] = useState(false);
  const [moving, setMoving] = useState<Owner | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const liveNodes = cluster?.nodes.filter((n) => n.alive) ?? [];
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(null);
    try { await action(); } catch (e) { setActionError(errorText(toApiError(e))); } finally { setBusy(false); }
  };
  const rebalance = () => act(async () => {
    const result = await clusterApi.rebalance();
    setOutcome({ kind: 'rebalanced', result });
    setConfirming(false);
    await reload();
  });

  return (
    <>
      <h1 tabIndex={-1} className="view-title">{t('cluster.title')}</h1>
      <div className="toolbar cluster-toolbar">
        {manage && (
          <button type="button" className="button button--primary" disabled={!cluster || busy} data-testid="cluster-rebalance"
            onClick={() => { setActionError(null); setOutcome(null); setConfirming(true); }}>
            {t('cluster.rebalance.button')}
          </button>
        )}
        {cluster && (
          <p className="muted cluster-toolbar__facts" data-testid="cluster-self">
            {t('cluster.self', { node: cluster.self })} {t('cluster.updated', { time: formatClock(new Date(fetchedAt), i18n.language) })}
            {!manage && <> {t('cluster.readOnly')}</>}
          </p>
        )}
      </div>
      <div role="status" className="status-slot">
        {outcome && <OutcomeBanner outcome={outcome} nameOf={nameOf} />}
        {/* A failed refresh leaves the last answer on screen, saying how old it is (an outage must not blank the view). */}
        {cluster && error && <p className="banner banner--warning">{t('cluster.stale', { error: errorText(error), time: formatClock(new Date(fetchedAt), i18n.language) })}</p>}
      </div>
      <ErrorSlot error={!confirming && !moving ? actionError ?? (!cluster && error ? errorText(error) : null) : null} />
      {!cluster && error && <button type="button" className="button" onClick={() => void reload()}>{t('common.retry')}</button>}
      {!cluster && !error && <p className="muted">{t('common.loading')}</p>}

      {cluster && (
        <div className="layout cluster-layout">
          <div className="side-stack">
            <NodesTable cluster={cluster} fetchedAt={fetchedAt} />
            <JobsTable cluster={cluster} />
          </div>
          <CamerasPerNode cluster={cluster} nameOf={nameOf} onMove={manage && liveNodes.length > 1 ? (o) => { setActionError(null); setOutcome(null); setMoving(o); } : undefined}
            moveLater={manage && liveNodes.length < 2} />
        </div>
      )}

      {confirming && (
        <ConfirmDialog title={t('cluster.rebalance.title')} confirmLabel={t('cluster.rebalance.confirm')} busy={busy} error={actionError}
          testId="confirm-rebalance" onCancel={() => setConfirming(false)} onConfirm={() => void rebalance()}>
          <p>{t('cluster.rebalance.text')}</p>
        </ConfirmDialog>
      )}
      {moving && cluster && (
        <MoveDialog owner={moving} name={nameOf(moving.cameraId)} targets={liveNodes.filter((n) => n.id !== moving.nodeId)} busy={busy} error={actionError}
          onCancel={() => setMoving(null)}
          onMove={(node) => void act(async () => {
            await clusterApi.moveCamera(moving.cameraId, node.id);
            const address = ingestAddress(node, moving.cameraId, window.location.hostname);
            setOutcome({ kind: 'moved', text: t('cluster.move.done', { name: nameOf(moving.cameraId), node: node.id, address }) });
            setMoving(null);
            await reload();
          })} />
      )}
    </>
  );
}

function OutcomeBanner({ outcome, nameOf }: { outcome: Outcome; nameOf(id: string): string }) {
  const { t } = useTranslation();
  if (outcome.kind === 'moved') return <p className="banner banner--ok" data-testid="cluster-notice">{outcome.text}</p>;
  const { moved } = outcome.result;
  if (moved.length === 0) return <p className="banner banner--ok" data-testid="cluster-notice">{t('cluster.rebalance.nothing')}</p>;
  return (
    <div className="banner banner--ok" data-testid="cluster-notice">
      <p>{t('cluster.rebalance.moved', { count: moved.length })}</p>
      <ul className="cluster-moves">
        {moved.map((m) => (
          <li key={m.cameraId}>{t('cluster.rebalance.move', { camera: nameOf(m.cameraId), from: m.from ?? t('cluster.rebalance.nobody'), to: m.to })}</li>
        ))}
      </ul>
    </div>
  );
}

function NodeState({ alive }: { alive: boolean }) {
  const { t } = useTranslation();
  return <span className={`badge ${alive ? 'badge--ok' : 'badge--off'}`}>{t(alive ? 'cluster.state.alive' : 'cluster.state.down')}</span>;
}

/** Ticks on its own, so the rest of the view renders only when an answer arrives. */
function HeartbeatAge({ cluster, node, fetchedAt }: { cluster: Cluster; node: ClusterNode; fetchedAt: number }) {
  const { t } = useTranslation();
  const now = useNow(1000);
  const { unit, n } = ageParts(heartbeatAgeMs(cluster, node, fetchedAt, now));
  return <span className="nowrap">{t(`cluster.age.${unit}`, { n })}</span>;
}

function NodesTable({ cluster, fetchedAt }: { cluster: Cluster; fetchedAt: number }) {
  const { t } = useTranslation();
  return (
    <section className="panel cluster-table" aria-labelledby="cluster-nodes-title">
      <h2 id="cluster-nodes-title" className="panel-title">{t('cluster.nodes.title')}</h2>
      <table className="table table--dense" data-testid="cluster-nodes">
        <caption className="visually-hidden">{t('cluster.nodes.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('cluster.nodes.node')}</th>
            <th scope="col">{t('cluster.nodes.state')}</th>
            <th scope="col">{t('cluster.nodes.heartbeat')}</th>
            <th scope="col">{t('cluster.nodes.ports')}</th>
            <th scope="col" className="num">{t('cluster.nodes.cameras')}</th>
          </tr>
        </thead>
        <tbody>
          {cluster.nodes.map((n) => (
            <tr key={n.id} data-testid={`cluster-node-${n.id}`} className={n.alive ? undefined : 'row--down'}>
              <th scope="row" className="mono">
                {n.id}{n.id === cluster.self && <span className="badge badge--self">{t('cluster.nodes.thisNode')}</span>}
              </th>
              <td data-testid="node-state"><NodeState alive={n.alive} /></td>
              <td><HeartbeatAge cluster={cluster} node={n} fetchedAt={fetchedAt} /></td>
              <td className="mono">
                {n.rtmpPort > 0 ? <span className="nowrap">{t('cluster.nodes.rtmp', { port: n.rtmpPort })}</span> : t('cluster.nodes.noPorts')}
                {n.flvPorts.length > 0 && <span className="sub">{t('cluster.nodes.flv', { ports: n.flvPorts.join(', ') })}</span>}
              </td>
              <td className="num" data-testid="node-cameras">{n.cameras}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cluster.nodes.length === 0 && <p className="empty">{t('cluster.nodes.empty')}</p>}
    </section>
  );
}

function JobsTable({ cluster }: { cluster: Cluster }) {
  const { t, i18n } = useTranslation();
  // Today's hour reads at a glance; an older start names its day too.
  const since = (iso: string) => (Date.now() - Date.parse(iso) < 12 * 3600_000 ? formatClock(new Date(iso), i18n.language) : formatDateTime(iso, i18n.language));
  const label = (name: string) => {
    const { key, node } = parseJob(name);
    if (!key) return name;
    const job = t(`cluster.jobs.names.${key}`);
    return node ? t('cluster.jobs.ofNode', { job, node }) : job;
  };
  return (
    <section className="panel cluster-table" aria-labelledby="cluster-jobs-title">
      <h2 id="cluster-jobs-title" className="panel-title">{t('cluster.jobs.title')}</h2>
      <table className="table table--dense" data-testid="cluster-jobs">
        <caption className="visually-hidden">{t('cluster.jobs.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('cluster.jobs.job')}</th>
            <th scope="col">{t('cluster.jobs.node')}</th>
            <th scope="col">{t('cluster.jobs.since')}</th>
          </tr>
        </thead>
        <tbody>
          {cluster.leases.map((l) => (
            <tr key={l.name} data-testid={`cluster-job-${l.name}`}>
              <th scope="row">{label(l.name)}<span className="job-code mono">{l.name}</span></th>
              <td className="mono" data-testid="job-node">
                {l.nodeId}{!l.alive && <span className="badge badge--off cluster-badge">{t('cluster.jobs.expired')}</span>}
              </td>
              <td className="nowrap">{since(l.since)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cluster.leases.length === 0 && <p className="empty">{t('cluster.jobs.empty')}</p>}
    </section>
  );
}

function CamerasPerNode({ cluster, nameOf, onMove, moveLater }: { cluster: Cluster; nameOf(id: string): string; onMove?: (o: Owner) => void; moveLater: boolean }) {
  const { t } = useTranslation();
  const groups = useMemo(() => {
    const byNode = new Map<string | null, Owner[]>(cluster.nodes.map((n) => [n.id, []]));
    for (const o of cluster.owners) {
      const key = o.nodeId !== null && byNode.has(o.nodeId) ? o.nodeId : null;
      if (!byNode.has(key)) byNode.set(key, []);
      byNode.get(key)!.push(o);
    }
    return [...byNode.entries()];
  }, [cluster]);
  const alive = new Map(cluster.nodes.map((n) => [n.id, n.alive]));
  return (
    <section className="panel" aria-labelledby="cluster-cameras-title">
      <h2 id="cluster-cameras-title" className="panel-title">{t('cluster.cameras.title')}</h2>
      {moveLater && <p className="hint">{t('cluster.cameras.moveLater')}</p>}
      {groups.map(([nodeId, owners]) => (
        <section key={nodeId ?? ''} className="node-group" data-testid={`node-group-${nodeId ?? 'none'}`} aria-label={nodeId ? t('cluster.cameras.caption', { node: nodeId }) : t('cluster.cameras.unassigned')}>
          <h3 className="node-group__title">
            <span className="mono">{nodeId ?? t('cluster.cameras.unassigned')}</span>
            {nodeId && <NodeState alive={!!alive.get(nodeId)} />}
            <span className="count">{t('cluster.cameras.count', { count: owners.length })}</span>
          </h3>
          {owners.length === 0 ? <p className="empty">{t('cluster.cameras.empty')}</p> : (
            <ul className="node-cameras">
              {owners.map((o) => (
                <li key={o.cameraId} className={`node-camera${o.enabled ? '' : ' node-camera--disabled'}`} data-testid={`node-camera-${o.cameraId}`}>
                  <span className="node-camera__name">{nameOf(o.cameraId)}</span>
                  {/* Only the pulled (RTSP) cameras are tagged: they follow a rebalance; the rest push (RTMP), which leaves the name room. */}
                  {o.sourceType === 'rtsp' && <span className="node-camera__type">RTSP</span>}
                  {!o.enabled && <span className="visually-hidden"> ({t('cluster.cameras.disabled')})</span>}
                  {/* RTSP cameras follow the rebalance; an RTMP camera moves only with its push address, one by one. */}
                  {onMove && o.sourceType === 'rtmp' && o.nodeId && (
                    <button type="button" className="button button--small node-camera__move" onClick={() => onMove(o)} data-testid="node-camera-move">
                      {t('cluster.cameras.move')}<span className="visually-hidden"> {nameOf(o.cameraId)}</span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </section>
  );
}

function MoveDialog({ owner, name, targets, busy, error, onMove, onCancel }: {
  owner: Owner; name: string; targets: ClusterNode[]; busy: boolean; error: string | null; onMove(node: ClusterNode): void; onCancel(): void;
}) {
  const { t } = useTranslation();
  const [to, setTo] = useState(targets[0]?.id ?? '');
  const target = targets.find((n) => n.id === to);
  return (
    <Dialog title={t('cluster.move.title', { name })} onClose={onCancel} role="alertdialog" testId="move-camera" closable={!busy}>
      <form className="form" onSubmit={(e) => { e.preventDefault(); if (target && !busy) onMove(target); }}>
        <p>{t('cluster.move.current', { node: owner.nodeId ?? t('cluster.rebalance.nobody') })}</p>
        <Field label={t('cluster.move.to')}>
          {(p) => (
            <select {...p} value={to} onChange={(e) => setTo(e.target.value)} autoFocus data-testid="move-camera-node">
              {targets.map((n) => <option key={n.id} value={n.id}>{n.id}</option>)}
            </select>
          )}
        </Field>
        {target && (
          <div className="field">
            <span className="label">{t('cluster.move.newAddress')}</span>
            <span className="mono readonly-value" data-testid="move-camera-address">{ingestAddress(target, owner.cameraId, window.location.hostname)}</span>
          </div>
        )}
        <p className="hint">{t('cluster.move.text')}</p>
        {error && <p className="banner banner--error" role="alert">{error}</p>}
        <FormActions busy={busy} onCancel={onCancel} submitLabel={t('cluster.move.confirm')} submitTestId="confirm" />
      </form>
    </Dialog>
  );
}
