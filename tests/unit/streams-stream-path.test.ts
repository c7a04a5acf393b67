import { describe, expect, it } from 'vitest';
import { FlvReader } from '../../streams/flv-reader.js';
import { isCameraId, parseStreamName, playUrl, publishUrl, redactUrl, streamName } from '../../streams/stream-path.js';

describe('stream paths', () => {
  it('names main and sub streams', () => {
    expect(streamName({ cameraId: 'ens-markt-1', stream: 'main' })).toBe('ens-markt-1');
    expect(streamName({ cameraId: 'ens-markt-1', stream: 'sub' })).toBe('ens-markt-1__sub');
  });

  it('parses only app "live" and slug camera ids', () => {
    expect(parseStreamName('live', 'ens-markt-1__sub')).toEqual({ cameraId: 'ens-markt-1', stream: 'sub' });
    expect(parseStreamName('live', 'ens-markt-1')).toEqual({ cameraId: 'ens-markt-1', stream: 'main' });
    expect(parseStreamName('other', 'cam')).toBeNull();
    for (const bad of ['', 'Cam', 'cam_1', '-cam', 'cam-', 'a--b', '__sub', 'x'.repeat(65), 'cam__sub__sub']) {
      expect(parseStreamName('live', bad)).toBeNull();
    }
    expect(isCameraId('a')).toBe(true);
  });

  it('builds publish and play URLs with encoded secrets', () => {
    expect(publishUrl({ host: '127.0.0.1', port: 1935 }, { cameraId: 'c1', stream: 'sub' }, 'a/b+c')).toBe(
      'rtmp://127.0.0.1:1935/live/c1__sub?key=a%2Fb%2Bc',
    );
    expect(playUrl('ws', { host: '::1', port: 8000 }, { cameraId: 'c1', stream: 'main' }, 't')).toBe('ws://[::1]:8000/live/c1.flv?token=t');
    expect(() => streamName({ cameraId: '../x', stream: 'main' })).toThrow();
  });

  it('redacts the user info and every query value of every URL in a text', () => {
    expect(redactUrl('rtmp://h:1/live/c?key=secret')).toBe('rtmp://h:1/live/c?key=[redacted]');
    expect(redactUrl('ws://h/live/c.flv?a=1&token=abc')).toBe('ws://h/live/c.flv?a=[redacted]&token=[redacted]');
    expect(redactUrl('rtsp://admin:hunter2@10.0.0.5:554/s1')).toBe('rtsp://[redacted]@10.0.0.5:554/s1');
    expect(redactUrl('rtsp://10.0.0.5/s1?pwd=x1&auth=y2&password=z3')).toBe('rtsp://10.0.0.5/s1?pwd=[redacted]&auth=[redacted]&password=[redacted]');
    expect(redactUrl('[rtsp @ 0x1] rtsp://u:p%40ss@h/x?token=t: 401 Unauthorized')).toBe('[rtsp @ 0x1] rtsp://[redacted]@h/x?token=[redacted] 401 Unauthorized');
    expect(redactUrl('no URL here: a=b&c=d')).toBe('no URL here: a=b&c=d');
  });
});

describe('FlvReader', () => {
  it('reads the header and tags across arbitrary chunk boundaries', () => {
    const header = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
    const tag = (type: number, ts: number, data: Buffer) => {
      const h = Buffer.alloc(11);
      h[0] = type;
      h.writeUIntBE(data.length, 1, 3);
      h.writeUIntBE(ts & 0xffffff, 4, 3);
      h[7] = ts >>> 24;
      const prev = Buffer.alloc(4);
      prev.writeUInt32BE(11 + data.length);
      return Buffer.concat([h, data, prev]);
    };
    const bytes = Buffer.concat([header, tag(9, 0, Buffer.from([0x17, 0, 0, 0, 0, 1])), tag(9, 40, Buffer.from([0x27, 1, 0, 0, 0]))]);
    const reader = new FlvReader();
    const tags = [];
    for (let i = 0; i < bytes.length; i += 7) tags.push(...reader.push(bytes.subarray(i, i + 7)));
    expect(reader.header).toEqual({ version: 1, hasAudio: true, hasVideo: true });
    expect(tags.map((t) => [t.type, t.timestampMs, t.keyframe, t.avcPacketType])).toEqual([
      ['video', 0, true, 0],
      ['video', 40, false, 1],
    ]);
    expect(() => new FlvReader().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/FLV/);
  });
});
