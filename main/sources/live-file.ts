// Following a recording that is still being written: only whole frames are ever read, growth is
// seen within milliseconds (file-system events, with polling as the fallback that also bounds the
// latency), silence is reported as "stalled", and a file that shrinks or is replaced is an error.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { SourceError, fsError } from './source.ts';

export interface FollowOptions {
  /** Bytes per frame (channels × bytes per sample). */
  frameBytes: number;
  headerBytes?: number;
  /** Report "stalled" after this much silence. */
  stallMs?: number;
  pollMs?: number;
}

export interface FollowerEvents {
  grow: [frames: number];
  stalled: [silentMs: number];
  resumed: [];
  error: [err: SourceError];
}

export class FileFollower extends EventEmitter<FollowerEvents> {
  readonly path: string;
  frames = 0;
  stalled = false;
  #o: Required<FollowOptions>;
  #fh: FileHandle | null = null;
  #ino = -1;
  #size = 0;
  #lastGrowth = performance.now();
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #checking = false;
  #closed = false;

  constructor(path: string, o: FollowOptions) {
    super();
    this.path = path;
    this.#o = { headerBytes: 0, stallMs: 2000, pollMs: 10, ...o };
  }

  async start(): Promise<void> {
    try {
      this.#fh = await open(this.path, 'r');
      this.#ino = (await this.#fh.stat()).ino;
    } catch (err) {
      throw fsError(this.path, err);
    }
    await this.#check();
    try {
      this.#watcher = watch(this.path, () => void this.#check());
      this.#watcher.on('error', () => {}); // polling carries on
    } catch {
      // No file-system events here (network drive…): polling alone.
    }
    this.#timer = setInterval(() => void this.#check(), this.#o.pollMs);
  }

  async #check(): Promise<void> {
    if (this.#checking || this.#closed) return;
    this.#checking = true;
    try {
      let st;
      try {
        st = await stat(this.path);
      } catch (err) {
        return this.#fail(fsError(this.path, err).code === 'ENOENT' ? new SourceError('DISAPPEARED', this.path, 'disappeared while it was being followed') : fsError(this.path, err));
      }
      if (st.ino !== this.#ino) return this.#fail(new SourceError('REPLACED', this.path, 'was replaced by another file while it was being followed'));
      if (st.size < this.#size) return this.#fail(new SourceError('TRUNCATED', this.path, `shrank from ${this.#size} to ${st.size} bytes while it was being followed`));
      this.#size = st.size;
      const frames = Math.floor(Math.max(0, st.size - this.#o.headerBytes) / this.#o.frameBytes);
      const now = performance.now();
      if (frames > this.frames) {
        this.frames = frames;
        this.#lastGrowth = now;
        if (this.stalled) {
          this.stalled = false;
          this.emit('resumed');
        }
        this.emit('grow', frames);
      } else if (!this.stalled && now - this.#lastGrowth > this.#o.stallMs) {
        this.stalled = true;
        this.emit('stalled', now - this.#lastGrowth);
      }
    } finally {
      this.#checking = false;
    }
  }

  #fail(err: SourceError): void {
    void this.close();
    this.emit('error', err);
  }

  /** Reads whole frames [start, end) that have already been seen. */
  async readFrames(start: number, end: number): Promise<ArrayBuffer> {
    if (!this.#fh) throw new SourceError('NOT_STARTED', this.path, 'is not being followed');
    if (start < 0 || end > this.frames || start > end) throw new SourceError('BAD_RANGE', this.path, `frames [${start}, ${end}) are outside the ${this.frames} written so far`);
    const buf = new ArrayBuffer((end - start) * this.#o.frameBytes);
    // The file named: 'EINVAL: invalid argument, read' alone did not say which the view had followed.
    const { bytesRead } = await this.#fh.read(new Uint8Array(buf), 0, buf.byteLength, this.#o.headerBytes + start * this.#o.frameBytes).catch((err: unknown) => {
      throw fsError(this.path, err);
    });
    if (bytesRead !== buf.byteLength) throw new SourceError('TRUNCATED', this.path, `shrank while frames [${start}, ${end}) were read`);
    return buf;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher?.close();
    if (this.#timer) clearInterval(this.#timer);
    await this.#fh?.close().catch(() => {});
  }
}
