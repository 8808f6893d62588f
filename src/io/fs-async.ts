/**
 * The few asynchronous file-system calls on the path of every `vouch scan` and `vouch sbom`
 * (stat, lstat, realpath, open, fstat, read, close), as promises over node:fs's callback API.
 * node:fs/promises would do the same, but loading it also loads the readline and file-watcher
 * modules it requires (~18 M instructions, callgrind; this Node compiles its own modules on every
 * start), and the build makes it load on first use (scripts/build.mjs). The calls, their errors
 * (code, syscall, path) and their order are the same.
 */
import { type Stats, close as closeCb, fstat as fstatCb, lstat as lstatCb, open as openCb, read as readCb, realpath as realpathCb, stat as statCb } from 'node:fs';

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;

function call<T>(f: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, value) => (err ? reject(err) : resolve(value))));
}

export const stat = (file: string): Promise<Stats> => call<Stats>((cb) => statCb(file, cb));
export const lstat = (file: string): Promise<Stats> => call<Stats>((cb) => lstatCb(file, cb));
export const realpath = (file: string): Promise<string> => call<string>((cb) => realpathCb(file, cb));
/** A descriptor: close it with `close`. */
export const open = (file: string, flags: number): Promise<number> => call<number>((cb) => openCb(file, flags, cb));
export const fstat = (fd: number): Promise<Stats> => call<Stats>((cb) => fstatCb(fd, cb));
/** Bytes read into `buf` at `offset` (0 at the end of the file), from the current position. */
export const read = (fd: number, buf: Buffer, offset: number, length: number): Promise<number> =>
  call<number>((cb) => readCb(fd, buf, offset, length, null, cb));
export const close = (fd: number): Promise<void> => call<void>((cb) => closeCb(fd, (err) => cb(err, undefined)));
