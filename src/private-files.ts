import fs from 'node:fs';

/** Mode of the data dir and of directories the hub creates for its files: owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/** Mode of every file the hub keeps (database, WAL, keys): owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes `dir` (and missing parents) exist and be 0700. An existing directory with wider modes is
 * narrowed, so installs made before this rule are fixed at start.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((fs.statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Narrows an existing file to 0600; a missing file is left missing. */
export function makePrivate(file: string): void {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st && (st.mode & 0o777) !== PRIVATE_FILE_MODE) fs.chmodSync(file, PRIVATE_FILE_MODE);
}

/** Creates `file` empty with mode 0600 if it does not exist, and narrows it to 0600 if it does. */
export function touchPrivate(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  makePrivate(file);
}

/** Makes an existing directory 0700 (an install made before this rule); a missing one stays missing. */
export function securePrivateDirIfPresent(dir: string): void {
  if (fs.existsSync(dir)) ensurePrivateDir(dir);
}
