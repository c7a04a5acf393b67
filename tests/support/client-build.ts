// The e2e tests drive the built console (dist/client). Built once per test run, in the global setup,
// and only when dist is missing or older than client/.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const builtIndex = path.join(root, 'dist/client/index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureClientBuilt(): void {
  const stale = !existsSync(builtIndex) || statSync(builtIndex).mtimeMs < newestMtime(path.join(root, 'client'));
  // NODE_ENV is 'test' under vitest: without 'production' Vite would build React's development bundle.
  if (stale) execSync('npx vite build', { cwd: root, stdio: 'pipe', timeout: 180_000, env: { ...process.env, NODE_ENV: 'production' } });
}
