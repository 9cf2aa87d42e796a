import { constants, createReadStream, fstatSync, openSync, readFileSync, ReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { isDirectory } from '../base/fd.js';
import { systemErrorText, utf8Bytes } from '../base/messages.js';

// The engine's inputs and outputs: opening the input files in turn, and probing the descriptors.

export interface StageIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** An input being read: its stream, and how messages and trace spans name its lines. */
export interface OpenInput {
  stream: Readable;
  /** standard input (its read error stops the run; another file's goes on to the next) */
  isStdin: boolean;
  /** standard input read by fs reads of a blocking pipe: a read that cannot be cancelled */
  readByFs: boolean;
  /** how messages name a line: `line 3`, or `FILE:3` when files were given */
  where: (lineNo: number) => string;
  /** the file named in trace spans (none when no files were given) */
  traceFile: string | undefined;
  /** the message for a read error of this input, `why` its reason */
  readError: (why: string) => string;
}

/**
 * The inputs of a run, in order: the files given (`-` is stdin), or stdin alone. Each `next()` opens
 * the next one that can be opened, after reporting each one that cannot (through `unopened`, with
 * its message), and returns undefined once none is left.
 */
export class InputFiles {
  private readonly inputs: readonly string[];
  private index = -1;

  constructor(
    private readonly name: string,
    private readonly files: readonly string[],
    private readonly io: StageIO,
    private readonly unopened: (message: string) => void,
  ) {
    this.inputs = files.length > 0 ? files : ['-'];
  }

  next(): OpenInput | undefined {
    const { name, files, io } = this;
    while (++this.index < this.inputs.length) {
      const file = this.inputs[this.index]!;
      const shown = file === '-' ? '(standard input)' : file;
      const readError = (why: string): string =>
        utf8Bytes(`${name}: ${files.length > 0 ? `${shown}: ` : ''}read error: ${why}\n`);
      let stream: Readable;
      try {
        // Node reads a directory on fd 0 as empty input; `cat` says EISDIR, and so do we.
        if (file === '-' && io === process && isDirectory(0))
          throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
        stream = file === '-' ? standardInput(io) : openFile(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        this.unopened(
          code === 'EISDIR'
            ? readError('Is a directory')
            : utf8Bytes(`${name}: cannot open '${file}': ${systemErrorText(error)}\n`),
        );
        continue;
      }
      return {
        stream,
        isStdin: file === '-',
        readByFs: stream instanceof ReadStream && file === '-',
        where: files.length > 0 ? (n) => `${shown}:${n}` : (n) => `line ${n}`,
        traceFile: files.length > 0 ? file : undefined,
        readError,
      };
    }
    return undefined;
  }
}

/**
 * Whether stdout is written directly (see Sink): a blocking pipe, untouched so far — not when stderr
 * is the same pipe, as with 2>&1: writing stderr through Node's stream makes it non-blocking; the
 * direct writes would still wait for room, but by polling.
 */
export function writesStdoutDirectly(io: StageIO): boolean {
  return io === process && isBlockingPipe(1) && !samePipe(1, 2);
}

/**
 * Standard input as a stream. A pipe is read as a file is (fs reads into buffers of the size read)
 * rather than through Node's socket for pipes, whose 64 KiB read buffers each hold a few KiB of a
 * pipe: piped input then costs the memory a file does (measured: 10M lines, peak RSS 67 → 58 MB).
 */
function standardInput(io: StageIO): Readable {
  // (process.stdin is not touched before: making it sets O_NONBLOCK on the pipe, which fs reads
  // cannot take)
  if (io === process && isBlockingPipe(0)) return createReadStream('', { fd: 0, autoClose: false });
  return io.stdin;
}

/** True when fd is a pipe in blocking mode (its O_NONBLOCK flag, from /proc/self/fdinfo, is clear). */
function isBlockingPipe(fd: number): boolean {
  try {
    if (!fstatSync(fd).isFIFO()) return false;
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return flags !== null && (Number.parseInt(flags[1]!, 8) & constants.O_NONBLOCK) === 0;
  } catch {
    return false;
  }
}

/** True when two descriptors are the same pipe. */
function samePipe(a: number, b: number): boolean {
  try {
    const [one, two] = [fstatSync(a), fstatSync(b)];
    return one.isFIFO() && two.isFIFO() && one.ino === two.ino && one.dev === two.dev;
  } catch {
    return false;
  }
}

/** A file's contents as a stream; throws (EISDIR for a directory) when it cannot be read. */
function openFile(file: string): Readable {
  const fd = openSync(file, 'r');
  if (isDirectory(fd)) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
  return createReadStream('', { fd });
}
