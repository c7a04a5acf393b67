// One real PostgreSQL for the whole run: TEST_DATABASE_URL when given (CI may use the system's PostgreSQL),
// else an embedded one in a temporary directory. Migrations are applied once, into a template database
// that each test file clones (CREATE DATABASE ... TEMPLATE), so files never see each other's rows.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openSql, startEmbeddedPostgres } from '../../server/db/connect.js';
import { migrate } from '../../server/db/migrate.js';
import { createLogger } from '../../server/log.js';
import { seedReferenceData } from '../../server/demo/seed.js';
import { freePort } from './ports.js';
import { ensureClientBuilt } from './client-build.js';
import { findChromium } from './browser.js';
import { findFfmpeg } from '../../streams/ffmpeg/locate.js';
import { ffprobePathFor } from '../../streams/ffmpeg/probe.js';

declare module 'vitest' {
  export interface ProvidedContext { pgAdminUrl: string }
}

export default async function setup(project: TestProject) {
  ensureClientBuilt();
  // Found (and the packaged one unpacked) once, here, and handed to every test file. No browser is not a reason
  // to skip: the e2e files then fail, each with the message that says how to get one.
  // The same for ffmpeg and ffprobe, found by the product's own search (FFMPEG_PATH, PATH, then the packaged build):
  // every test file and every server a test starts uses these two.
  await findFfmpeg().then(
    (ff) => {
      process.env.FFMPEG_PATH = ff.path;
      process.env.FFPROBE_PATH = ffprobePathFor(ff.path);
      console.log(`tests use ${ff.versionLine} (${ff.source}: ${ff.path}) and ${process.env.FFPROBE_PATH}`);
    },
    (e: Error) => console.error(e.message),
  );
  await findChromium().then(
    (b) => { process.env.CHROMIUM_PATH = b.path; console.log(`browser tests use ${b.path} (${b.source})`); },
    (e: Error) => console.error(e.message),
  );
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = mkdtempSync(path.join(tmpdir(), 'uitkijk-test-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the 'postgres' user, which must reach its directory
    const port = await freePort();
    const pg = await startEmbeddedPostgres({ dataDir: dir, port, log: createLogger('silent') });
    adminUrl = pg.url.replace(/\/uitkijk$/, '/postgres');
    stop = pg.stop;
  }
  const admin = openSql(adminUrl, 1);
  await admin.unsafe('drop database if exists uitkijk_template');
  await admin.unsafe('create database uitkijk_template');
  const tpl = openSql(adminUrl.replace(/\/[^/]*$/, '/uitkijk_template'), 1);
  await migrate(tpl);
  await seedReferenceData(tpl, path.resolve('config'));
  await tpl.end();
  await admin.end();
  project.provide('pgAdminUrl', adminUrl);
  return async () => {
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
