// The nodes view names every job lease in words, in both languages of the console. The lease names come from the
// server's own source (every runExclusive('<name>', …) and the retention lease), so a new job without words fails
// here; and the console's `cluster` block holds the same keys in nl and en.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import nl from '../../client/src/i18n/nl.json';
import en from '../../client/src/i18n/en.json';
import { ageParts, heartbeatAgeMs, ingestAddress, ingestOf, knownJobs, parseJob } from '../../client/src/cluster/labels.js';
import { retentionLease } from '../../server/recordings/index.js';
import type { Cluster } from '../../server/cluster/schema.js';

const root = path.resolve(import.meta.dirname, '../..');
const languages = { nl, en } as Record<string, Record<string, unknown>>;

/** Every lease name the server takes: the string literal given to runExclusive anywhere under server/. */
function serverLeaseNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) for (const m of readFileSync(path.join(root, rel), 'utf8').matchAll(/runExclusive\(\s*'([^']+)'/g)) names.add(m[1]!);
    }
  };
  walk('server');
  names.add(retentionLease({ MEDIA_SHARED: false, NODE_ID: 'node-2' }));
  names.add(retentionLease({ MEDIA_SHARED: true, NODE_ID: 'node-2' }));
  return [...names].sort();
}

/** All key paths of a nested dictionary, plural suffixes folded ('count_one' → 'count'). */
function keyPaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix.replace(/_(one|other)$/, '')];
  return Object.entries(node).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe('cluster labels', () => {
  it('finds the jobs the server runs under leases (the check below would pass on an empty list too)', () => {
    const names = serverLeaseNames();
    for (const name of ['dispatch.outbox', 'dispatch.escalation', 'evidence.clips', 'bookings.activation', 'recordings.retention@node-2']) expect(names).toContain(name);
  });

  for (const lang of Object.keys(languages)) {
    it(`every job lease the server takes has words in ${lang}`, () => {
      const jobs = (languages[lang]!.cluster as { jobs: { names: Record<string, unknown> } }).jobs.names;
      const missing = serverLeaseNames().filter((name) => {
        const { key } = parseJob(name);
        const label = key ? jobs[key] : undefined;
        return typeof label !== 'string' || label.trim() === '';
      });
      expect(missing, `job leases without a ${lang} label`).toEqual([]);
    });
  }

  it('the cluster block holds the same keys in nl and en', () => {
    expect(keyPaths(en.cluster).sort()).toEqual(keyPaths(nl.cluster).sort());
    expect(knownJobs.length).toBe(Object.keys(nl.cluster.jobs.names).length);
  });

  it('a per-node job names its node; an unknown lease has no key (shown by its name)', () => {
    expect(parseJob('recordings.retention@node-2')).toEqual({ key: 'recordingsRetention', node: 'node-2' });
    expect(parseJob('dispatch.outbox')).toEqual({ key: 'dispatchOutbox', node: null });
    expect(parseJob('something.new')).toEqual({ key: null, node: null });
  });

  const node = (id: string, heartbeatAt: string, alive = true, mediaHost: string | null = null) =>
    ({ id, apiUrl: 'http://127.0.0.1:1', mediaHost, rtmpPort: 1935, flvPorts: [8000], startedAt: heartbeatAt, heartbeatAt, alive, cameras: 0 });

  it('a heartbeat age is measured on the server\'s clock, not the browser\'s', () => {
    const cluster: Cluster = { self: 'node-1', nodes: [node('node-1', '2026-01-01T12:00:00.000Z'), node('node-2', '2026-01-01T11:58:00.000Z', false)], leases: [], owners: [] };
    // The browser's clock is an hour off; 3 s passed since the answer arrived.
    const fetchedAt = Date.parse('2026-01-01T13:00:00.000Z');
    expect(heartbeatAgeMs(cluster, cluster.nodes[0]!, fetchedAt, fetchedAt + 3000)).toBe(3000);
    expect(heartbeatAgeMs(cluster, cluster.nodes[1]!, fetchedAt, fetchedAt + 3000)).toBe(123_000);
    expect(ageParts(3000)).toEqual({ unit: 'seconds', n: 3 });
    expect(ageParts(123_000)).toEqual({ unit: 'minutes', n: 2 });
    expect(ageParts(5 * 3600_000)).toEqual({ unit: 'hours', n: 5 });
  });

  it('the ingest address: the node\'s media host or the console\'s host, its RTMP port, live/<camera>, no key', () => {
    expect(ingestAddress({ mediaHost: null, rtmpPort: 1935 }, 'ens-oude-markt', 'kamer.example')).toBe('rtmp://kamer.example:1935/live/ens-oude-markt');
    expect(ingestAddress({ mediaHost: 'media-2.example', rtmpPort: 1936 }, 'ens-oude-markt', 'kamer.example')).toBe('rtmp://media-2.example:1936/live/ens-oude-markt');
    expect(ingestAddress({ mediaHost: 'fd00::2', rtmpPort: 1935 }, 'hgl-stadhuis', 'x')).toBe('rtmp://[fd00::2]:1935/live/hgl-stadhuis');
    const cluster: Cluster = {
      self: 'node-1', nodes: [node('node-1', '2026-01-01T12:00:00.000Z'), node('node-2', '2026-01-01T11:58:00.000Z', false, 'media-2.example')], leases: [],
      owners: [{ cameraId: 'a-cam', nodeId: 'node-2', sourceType: 'rtmp', enabled: true }, { cameraId: 'b-cam', nodeId: null, sourceType: 'rtmp', enabled: true }],
    };
    expect(ingestOf(cluster, 'a-cam', 'kamer.example')).toEqual({ nodeId: 'node-2', alive: false, address: 'rtmp://media-2.example:1935/live/a-cam' });
    expect(ingestOf(cluster, 'b-cam', 'kamer.example')).toEqual({ nodeId: null, alive: false, address: null });
    expect(ingestOf(cluster, 'c-cam', 'kamer.example')).toBeNull();
  });
});
