// The house rules of server/README.md, checked on the source tree: imports never run back up, SQL lives in
// store.ts, services are rules without side effects, every folder says what it holds.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUpward, measure, parse, root, sourceFiles } from '../structure/house.js';

const report = measure();

describe('the house', () => {
  it('no import runs back up a layer, and no two capabilities import each other', () => {
    expect(report.upwardImports.map((u) => `${u.from} → ${u.to} (${u.why})`)).toEqual([]);
  });

  it('SQL is written only in store.ts files (and in db/, the database door itself)', () => {
    expect(report.sqlOutsideStores.map((f) => f.file).filter((f) => !f.startsWith('server/db/'))).toEqual([]);
  });

  it('services are rules: no SQL driver, express, file system, child process or clock of their own, no HTTP errors', () => {
    const services = sourceFiles().filter((f) => /^server\/[\w-]+\/service\.ts$/.test(f));
    expect(services.length).toBeGreaterThan(5);
    const offences: string[] = [];
    for (const file of services) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const spec of parse(file).imports) {
        if (/^(node:)?(fs|fs\/promises|child_process)$|^express$|^postgres$/.test(spec)) offences.push(`${file} imports ${spec}`);
        if (/\/http\/errors\.js$/.test(spec)) offences.push(`${file} imports HTTP errors`);
      }
      if (/\bDate\.now\(\)|new Date\(\)/.test(text)) offences.push(`${file} reads the clock`);
    }
    expect(offences).toEqual([]);
  });

  it('every folder under server/, streams/ and client/src/ has a README', () => {
    const missing: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(path.join(root, dir, 'README.md'))) missing.push(dir);
      for (const name of readdirSync(path.join(root, dir))) if (statSync(path.join(root, dir, name)).isDirectory()) walk(path.posix.join(dir, name));
    };
    ['server', 'streams', 'client/src'].forEach(walk);
    expect(missing).toEqual([]);
  });

  it('finds what runs back up (the rules above would pass on an empty report too)', () => {
    const found = findUpward([
      { from: 'server/incidents/categories.ts', to: 'server/demo/seed.ts' },       // production code on demo code
      { from: 'server/events.ts', to: 'server/cameras/schema.ts' },                // the platform on a capability
      { from: 'server/dispatch/routes.ts', to: 'server/incidents/store.ts' },      // two capabilities …
      { from: 'server/incidents/service.ts', to: 'server/dispatch/outbox.ts' },    // … that import each other
      { from: 'streams/recorder.ts', to: 'server/log.ts' },                        // video code on the server
      { from: 'client/src/components/Wall.tsx', to: 'client/src/live/useWall.ts' }, // a part on a feature
      { from: 'server/evidence/service.ts', to: 'server/recordings/schema.ts' },   // fine: a contract, one way
      { from: 'client/src/live/useWall.ts', to: 'server/live/schema.ts' },         // fine: the client on a contract
    ]);
    expect(found.map((u) => u.from)).toEqual([
      'server/incidents/categories.ts', 'server/events.ts', 'streams/recorder.ts', 'client/src/components/Wall.tsx',
      'server/dispatch/routes.ts', 'server/incidents/service.ts',
    ]);
    expect(parse('server/db/migrate.ts').sqlLines.length).toBeGreaterThan(0);
  });
});
