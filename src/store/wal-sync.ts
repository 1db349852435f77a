import fs from 'node:fs';

/** How the WAL file (an open descriptor) is flushed to disk; tests replace it to hold or count the flushes. */
export type DataSync = (fd: number) => Promise<void>;

/** `fdatasync` on libuv's thread pool. */
const fdatasync: DataSync = (fd) => new Promise((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));

/**
 * Makes a SQLite WAL file durable off the event loop: `sync()` resolves once an `fdatasync` of the
 * `-wal` file that started after the call has finished, so every frame written before the call is
 * on disk. Callers that arrive while a flush runs share the next one, so any number of commits
 * costs at most two flushes in flight at a time. The file is reopened when SQLite replaced it
 * (another inode at the path).
 */
export class WalSync {
  private fd?: number;
  private inode?: number;
  /** The flush running now. */
  private current?: Promise<void>;
  /** The flush that starts when the current one ends, shared by everyone who asked meanwhile. */
  private next?: Promise<void>;
  private closed = false;

  constructor(
    /** The `-wal` file. */
    private readonly walFile: string,
    private readonly dataSync: DataSync = fdatasync,
  ) {}

  /** Resolves when everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (!this.current) return this.start();
    return (this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      }));
  }

  /** Waits for the flushes in flight, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.current, this.next]);
    this.release();
  }

  private start(): Promise<void> {
    const p: Promise<void> = this.flush().finally(() => {
      if (this.current === p) this.current = undefined;
    });
    this.current = p;
    return p;
  }

  private async flush(): Promise<void> {
    if (this.closed) throw new Error('the database is closed');
    await this.dataSync(this.open());
  }

  /** The WAL's descriptor, opened again when the file at the path is not the one held. */
  private open(): number {
    const atPath = fs.statSync(this.walFile).ino;
    if (this.fd !== undefined && this.inode === atPath) return this.fd;
    this.release();
    this.fd = fs.openSync(this.walFile, 'r');
    this.inode = fs.fstatSync(this.fd).ino;
    return this.fd;
  }

  private release(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
