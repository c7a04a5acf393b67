// Incremental FLV parser: header and tags from a byte stream (HTTP-FLV body, WebSocket-FLV messages).
// Used by the tests and health checks to see that a stream really carries video, without a decoder.

export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface FlvTag {
  type: 'audio' | 'video' | 'script' | 'other';
  timestampMs: number;
  size: number;
  /** Video only: keyframe flag and AVC packet type (0 = sequence header, 1 = NALU). */
  keyframe?: boolean;
  avcPacketType?: number;
  codecId?: number;
  data: Buffer;
}

export class FlvReader {
  private buf: Buffer = Buffer.alloc(0);
  private headerRead = false;
  header: FlvHeader | null = null;

  /** Feeds bytes; returns the tags completed by them. Throws on bytes that are not FLV. */
  push(chunk: Buffer): FlvTag[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const tags: FlvTag[] = [];
    if (!this.headerRead) {
      if (this.buf.length < 13) return tags;
      if (this.buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream');
      const headerSize = this.buf.readUInt32BE(5);
      if (this.buf.length < headerSize + 4) return tags;
      this.header = { version: this.buf[3]!, hasAudio: (this.buf[4]! & 4) !== 0, hasVideo: (this.buf[4]! & 1) !== 0 };
      this.buf = this.buf.subarray(headerSize + 4); // header + PreviousTagSize0
      this.headerRead = true;
    }
    while (this.buf.length >= 11) {
      const size = this.buf.readUIntBE(1, 3);
      if (this.buf.length < 11 + size + 4) break;
      const typeByte = this.buf[0]! & 0x1f;
      const timestampMs = (this.buf.readUIntBE(4, 3) | (this.buf[7]! << 24)) >>> 0;
      const data = Buffer.from(this.buf.subarray(11, 11 + size));
      const type = typeByte === 8 ? 'audio' : typeByte === 9 ? 'video' : typeByte === 18 ? 'script' : 'other';
      const tag: FlvTag = { type, timestampMs, size, data };
      if (type === 'video' && size >= 2) {
        tag.keyframe = data[0]! >> 4 === 1;
        tag.codecId = data[0]! & 0x0f;
        tag.avcPacketType = data[1];
      }
      tags.push(tag);
      this.buf = this.buf.subarray(11 + size + 4);
    }
    return tags;
  }
}
