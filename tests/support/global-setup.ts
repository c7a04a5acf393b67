// One real PostgreSQL for the whole run (harness-postgres.ts): each test file clones its migrated template.
import type { TestProject } from 'vitest/node';
import { ensureClientBuilt } from './client-build.js';
import { startHarnessPostgres } from './harness-postgres.js';
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
  const pg = await startHarnessPostgres('uitkijk_template');
  project.provide('pgAdminUrl', pg.adminUrl);
  return () => pg.stop();
}
