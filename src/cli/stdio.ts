/**
 * stdout and stderr without Node's stream objects where it can. The first read of `process.stdout`
 * or `process.stderr` builds a stream for the descriptor — for a pipe a net.Socket, loading net,
 * stream and libuv's pipe wrap: ~50 M instructions (callgrind), half of what `node -e 0` costs in
 * all, and `tty` to ask whether a descriptor is a terminal costs as much. `vouch scan` and
 * `vouch sbom` write their output once, so they write it with fs.writeSync (blocking, in order,
 * complete before the process exits) and never build the streams. Whatever cannot be written that
 * way (a descriptor the parent made non-blocking and that is full, Windows, an unexpected error)
 * goes on through the stream, which from then on takes every write to that descriptor, in order.
 */
import { fstatSync, writeSync } from 'node:fs';

type Fd = 1 | 2;

/** Descriptors handed over to the stream (see above): every later write goes there too. */
const streamed = new Set<Fd>();

const streamOf = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

function write(fd: Fd, text: string): void {
  if (text === '') return;
  if (streamed.has(fd) || process.platform === 'win32') {
    streamOf(fd).write(text);
    return;
  }
  const buf = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < buf.length) {
    try {
      done += writeSync(fd, buf, done, buf.length - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        // `vouch scan . | head`: a reader that stops early is not an error (as cli/program.ts says for the stream)
        if (fd === 1) process.exit(process.exitCode ?? 0);
        return; // nobody reads stderr any more
      }
      streamed.add(fd);
      streamOf(fd).write(buf.subarray(done));
      return;
    }
  }
}

/**
 * Writes `text` to stdout or stderr (see the top of this file). An object, so that a test running
 * a command in its own process can take the output (vi.spyOn(stdio, 'out')).
 */
export const stdio = {
  out: (text: string): void => write(1, text),
  err: (text: string): void => write(2, text),
};

/**
 * Whether the descriptor is a terminal, without building its stream: only a character device can
 * be one, and only for those (a terminal, /dev/null) is `tty` asked.
 */
export function isTerminal(fd: Fd): boolean {
  if (streamed.has(fd)) return streamOf(fd).isTTY === true;
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return streamOf(fd).isTTY === true;
}

/**
 * Runs `attach` on process.stdout when something first reads it, without building it now (see the
 * top of this file): the EPIPE handler of cli/program.ts, for the commands that write through the
 * stream.
 */
export function whenStdoutBuilt(attach: (stream: NodeJS.WriteStream) => void): void {
  const own = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (!own?.get || !own.configurable) {
    attach(process.stdout);
    return;
  }
  const get = own.get;
  Object.defineProperty(process, 'stdout', {
    configurable: true,
    enumerable: own.enumerable ?? true,
    get() {
      Object.defineProperty(process, 'stdout', own); // Node's getter keeps the stream it built
      const stream = get.call(process) as NodeJS.WriteStream;
      attach(stream);
      return stream;
    },
  });
}
