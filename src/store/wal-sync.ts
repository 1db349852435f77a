import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** How the WAL file is flushed to disk; tests replace it to hold or count the flushes. */
export type DataSync = (file: FileHandle) => Promise<void>;

/**
 * Makes a SQLite WAL file durable off the event loop: `sync()` resolves once an `fdatasync` of the
 * `-wal` file that started after the call has finished, so every frame written before the call is
 * on disk. Callers that arrive while a flush runs share the next one, so any number of commits
 * costs at most two flushes in flight at a time. The file is reopened when SQLite replaced it
 * (another inode at the path).
 */
export class WalSync {
  private handle?: FileHandle;
  private inode?: number;
  /** The flush running now. */
  private current?: Promise<void>;
  /** The flush that starts when the current one ends, shared by everyone who asked meanwhile. */
  private next?: Promise<void>;
  private closed = false;

  constructor(
    /** The `-wal` file. */
    private readonly walFile: string,
    private readonly dataSync: DataSync = (h) => h.datasync(),
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
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
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
    await this.dataSync(await this.open());
  }

  /** The WAL's handle, opened again when the file at the path is not the one held. */
  private async open(): Promise<FileHandle> {
    const atPath = fs.statSync(this.walFile).ino;
    if (this.handle && this.inode === atPath) return this.handle;
    await this.handle?.close().catch(() => undefined);
    this.handle = await fs.promises.open(this.walFile, 'r');
    this.inode = (await this.handle.stat()).ino;
    return this.handle;
  }
}
