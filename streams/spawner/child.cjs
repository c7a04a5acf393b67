// The spawner's own process: a small Node process (plain CommonJS, no loader) that starts the room's long-running
// ffmpeg children on its behalf and relays their output and exits over IPC. See spawner.ts for why.
'use strict';
const { spawn } = require('node:child_process');

// The children (recorders, RTSP bridges) run a little below the room's own process: when the machine is short of
// CPU, the room's publish checks, API and live relay go first and the recorders catch up from their buffers.
try { require('node:os').setPriority(0, 5); } catch { /* not permitted: run at ours */ }

const children = new Map();
const send = (m) => { if (process.connected) process.send(m); };

process.on('message', (m) => {
  if (m.t === 'spawn') {
    let child;
    try {
      child = spawn(m.cmd, m.args, { stdio: ['ignore', m.stdout ? 'pipe' : 'ignore', 'pipe'], env: m.env || process.env });
    } catch (e) {
      return send({ t: 'error', id: m.id, message: String(e && e.message || e) });
    }
    children.set(m.id, child);
    child.once('spawn', () => send({ t: 'spawn', id: m.id, pid: child.pid }));
    child.once('error', (e) => send({ t: 'error', id: m.id, message: e.message, spawned: child.pid !== undefined }));
    if (child.stdout) {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (data) => send({ t: 'out', id: m.id, data }));
      child.stdout.on('end', () => send({ t: 'outEnd', id: m.id }));
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (data) => send({ t: 'err', id: m.id, data }));
    child.once('exit', (code, signal) => { children.delete(m.id); send({ t: 'exit', id: m.id, code, signal }); });
  } else if (m.t === 'kill') {
    const child = children.get(m.id);
    if (child) child.kill(m.signal);
  }
});

// The room is gone (stopped, or killed): its children must not outlive it.
process.on('disconnect', () => {
  for (const child of children.values()) child.kill('SIGKILL');
  setTimeout(() => process.exit(0), 200).unref();
});
