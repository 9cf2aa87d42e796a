import { execFile } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The command's stdin and stdout as OS pipes: the ends it is given, and timer's ends as streams. */
interface CommandPipes {
  /** file descriptors for the command's stdin and stdout; `closeCommandEnds` once it is started */
  commandStdin: number;
  commandStdout: number;
  /** timer writes the command's input here, and reads its output here */
  toCommand: Socket;
  fromCommand: Socket;
  closeCommandEnds(): void;
}

/**
 * Pipes for the command, as a shell pipeline gives them. Node's own 'pipe' stdio is a socketpair:
 * when timer's reader goes away and timer closes its end with output still unread, the command's
 * next write fails with ECONNRESET ("cat: write error: Connection reset by peer") instead of the
 * SIGPIPE/EPIPE a pipe gives, which every Unix tool handles quietly. Node cannot call pipe(2), so these
 * are FIFOs made by mkfifo(1) in a private directory, removed as soon as both ends are open.
 * Resolves undefined where that cannot be done (the caller falls back on Node's pipes).
 */
export async function openCommandPipes(): Promise<CommandPipes | undefined> {
  const opened = new Set<number>();
  const open = (file: string, flags: number): number => {
    const fd = openSync(file, flags);
    opened.add(fd);
    return fd;
  };
  const close = (fd: number): void => {
    opened.delete(fd);
    closeSync(fd);
  };
  let dir: string | undefined;
  try {
    dir = mkdtempSync(path.join(tmpdir(), 'pipestage-timer-'));
    const input = path.join(dir, 'stdin');
    const output = path.join(dir, 'stdout');
    await new Promise<void>((resolve, reject) => {
      execFile('mkfifo', ['-m', '600', input, output], (error) => (error ? reject(error) : resolve()));
    });
    const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;
    // Opening one end of a FIFO waits for the other, except a non-blocking read end: open that first.
    // The command's ends are opened without O_NONBLOCK (the flag belongs to each open, not the FIFO),
    // so the command sees ordinary blocking pipes.
    const fromCommand = open(output, O_RDONLY | O_NONBLOCK);
    const commandStdout = open(output, O_WRONLY);
    const inputReader = open(input, O_RDONLY | O_NONBLOCK); // only lets the write end open at once
    const toCommand = open(input, O_WRONLY | O_NONBLOCK);
    const commandStdin = open(input, O_RDONLY);
    close(inputReader);
    return {
      commandStdin,
      commandStdout,
      toCommand: new Socket({ fd: toCommand, readable: false, writable: true }),
      fromCommand: new Socket({ fd: fromCommand, readable: true, writable: false }),
      closeCommandEnds() {
        // timer must not hold the command's ends: the command's output would never end.
        close(commandStdin);
        close(commandStdout);
      },
    };
  } catch {
    for (const fd of opened) close(fd);
    return undefined;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
