import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

// The one Linux /proc reader: the system's page size and clock ticks (from the auxiliary vector),
// /proc/PID/stat parsed once, the children of a process, and files read with or without keeping them
// open. Everything here answers undefined (or empty) where /proc or the process is not there.

/** Auxiliary vector entry types (<elf.h>): the page size, and the clock ticks per second of /proc figures. */
const AT_NULL = 0;
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/**
 * The entries of an auxiliary vector (/proc/PID/auxv): pairs of machine words, type then value,
 * ending at AT_NULL. Type → value.
 */
export function parseAuxv(bytes: Buffer, wordBytes: 4 | 8, littleEndian: boolean): Map<number, number> {
  const entries = new Map<number, number>();
  const word = (at: number): number => {
    if (wordBytes === 4) return littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
    return Number(littleEndian ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at));
  };
  for (let at = 0; at + 2 * wordBytes <= bytes.length; at += 2 * wordBytes) {
    const type = word(at);
    if (type === AT_NULL) break;
    entries.set(type, word(at + wordBytes));
  }
  return entries;
}

/** Where Node runs 32-bit code: the auxiliary vector's words are 4 bytes. */
const ARCHES_32 = ['arm', 'ia32', 'mips', 'mipsel', 'ppc', 's390'];

/** This process's auxiliary vector (what sysconf reads; Node has no sysconf), or empty without /proc. */
function ownAuxv(): Map<number, number> {
  try {
    const wordBytes = ARCHES_32.includes(process.arch) ? 4 : 8;
    return parseAuxv(readFileSync('/proc/self/auxv'), wordBytes, endianness() === 'LE');
  } catch {
    return new Map();
  }
}

const auxv = ownAuxv();
/** The size of a memory page (rss in /proc/PID/stat counts pages): 4 KiB, 16 KiB or 64 KiB by kernel. */
export const PAGE_BYTES = auxv.get(AT_PAGESZ) || 4096;
/** Clock ticks per second in /proc figures (USER_HZ, `getconf CLK_TCK`). */
export const TICKS_PER_SECOND = auxv.get(AT_CLKTCK) || 100;
/** One clock tick, in ms. */
export const MS_PER_TICK = 1000 / TICKS_PER_SECOND;

/** One buffer for every /proc read: a sample reads dozens of small files, without garbage. */
let buffer = Buffer.allocUnsafe(4096);

/**
 * Reads /proc files. One that keeps files open (a sampler's) reads each again with one pread at
 * offset 0 (the kernel writes it afresh) instead of open, read and close each time; close() lets go.
 */
export class ProcFiles {
  private readonly open = new Map<string, number>();

  constructor(private readonly keepOpen: boolean) {}

  /** A /proc file's text (latin1), or undefined when it cannot be read (the process is gone). */
  text(path: string): string | undefined {
    let fd = this.open.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        return undefined;
      }
      if (this.keepOpen) this.open.set(path, fd);
    }
    try {
      let length = 0;
      for (;;) {
        const read = readSync(fd, buffer, length, buffer.length - length, length);
        if (read === 0) break;
        length += read;
        if (length === buffer.length) {
          const larger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(larger);
          buffer = larger;
        }
      }
      return buffer.toString('latin1', 0, length);
    } catch {
      this.closeFile(path);
      return undefined;
    } finally {
      if (!this.keepOpen) closeQuietly(fd);
    }
  }

  /** A process's /proc/PID/stat, or undefined once it is gone. */
  stat(pid: number | 'self'): ProcessStat | undefined {
    const text = this.text(`/proc/${pid}/stat`);
    return text === undefined ? undefined : parseStat(text);
  }

  /**
   * The children of `pid` (a child belongs to the thread that forked it): of every thread, or of its
   * main thread only (one read: shells and pipestage fork from the main one).
   */
  childrenOf(pid: number, everyThread = true): number[] {
    let tasks = [String(pid)];
    if (everyThread) {
      try {
        tasks = readdirSync(`/proc/${pid}/task`);
      } catch {
        return [];
      }
    }
    const found: number[] = [];
    for (const tid of tasks) {
      // (a thread that ended meanwhile has none)
      const text = this.text(`/proc/${pid}/task/${tid}/children`) ?? '';
      for (const child of text.split(' ')) if (child !== '') found.push(Number(child));
    }
    return found;
  }

  /** Closes the files kept open for a process (it is gone), or all of them. */
  close(pid?: number): void {
    for (const path of [...this.open.keys()])
      if (pid === undefined || path.startsWith(`/proc/${pid}/`)) this.closeFile(path);
  }

  private closeFile(path: string): void {
    const fd = this.open.get(path);
    if (fd === undefined) return;
    this.open.delete(path);
    closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closed already
  }
}

/** Reads that keep nothing open: for one-off questions (a process's start, its tree now). */
const once = new ProcFiles(false);

/** The fields of /proc/PID/stat that pipestage uses (CPU in clock ticks, rss in pages). */
export interface ProcessStat {
  /** the program's name (comm): it changes when the process runs another program */
  name: string;
  state: string;
  ppid: number;
  pgrp: number;
  /** the controlling terminal (0: none), and its foreground process group */
  ttyNr: number;
  tpgid: number;
  userTicks: number;
  sysTicks: number;
  /** CPU of the children it has waited for (and theirs) */
  childUserTicks: number;
  childSysTicks: number;
  /** when it started, in ticks since boot */
  startTicks: number;
  rssPages: number;
  /** how many threads it runs */
  threads: number;
}

/** The fields of a /proc/PID/stat text (the name may hold spaces and parentheses). */
export function parseStat(text: string): ProcessStat {
  // After the name: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) … utime(14) stime(15)
  // cutime(16) cstime(17) … starttime(22) vsize(23) rss(24). Read in place, field by field (no array
  // of fifty strings each sample).
  const close = text.lastIndexOf(')');
  let at = close + 2;
  const next = (): number => {
    const end = text.indexOf(' ', at);
    const value = Number(text.slice(at, end));
    at = end + 1;
    return value;
  };
  const skip = (count: number): void => {
    for (let i = 0; i < count; i++) at = text.indexOf(' ', at) + 1;
  };
  const state = text.charAt(at);
  at += 2;
  const ppid = next();
  const pgrp = next();
  skip(1); // session
  const ttyNr = next();
  const tpgid = next();
  skip(5); // flags … cmajflt (9–13)
  const userTicks = next();
  const sysTicks = next();
  const childUserTicks = next();
  const childSysTicks = next();
  skip(2); // priority, nice (18, 19)
  const threads = next();
  skip(1); // itrealvalue
  const startTicks = next();
  skip(1); // vsize
  const rssPages = next();
  return {
    name: text.slice(text.indexOf('(') + 1, close),
    state,
    ppid,
    pgrp,
    ttyNr,
    tpgid,
    userTicks,
    sysTicks,
    childUserTicks,
    childSysTicks,
    startTicks,
    rssPages,
    threads,
  };
}

/** A process's /proc/PID/stat (read once, nothing kept open), or undefined once it is gone. */
export const readStat = (pid: number | 'self'): ProcessStat | undefined => once.stat(pid);

/** The children of every thread of `pid` now. */
export const childrenOf = (pid: number): number[] => once.childrenOf(pid);

/** A /proc file's text (read once, nothing kept open), or undefined. */
export const readProcText = (path: string): string | undefined => once.text(path);

/** Where a /proc link points (`/proc/PID/fd/1`: `pipe:[123456]`), or undefined. */
export function readProcLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** The start time of a process (clock ticks since boot), or undefined. */
export function processStartTicks(pid: number | 'self'): number | undefined {
  return readStat(pid)?.startTicks;
}

/** CPU time, in ms. */
export interface ChildCpu {
  userMs: number;
  sysMs: number;
}

/** CPU used by the children this process has waited for (cutime, cstime), or undefined without /proc. */
export function childCpu(): ChildCpu | undefined {
  const stat = readStat('self');
  return stat && { userMs: stat.childUserTicks * MS_PER_TICK, sysMs: stat.childSysTicks * MS_PER_TICK };
}

/**
 * True when this process is in the foreground process group of its controlling terminal: a SIGINT,
 * SIGQUIT or SIGHUP it gets then most likely came from the terminal, which sent it to the whole
 * group (the command included).
 */
export function inTerminalForeground(): boolean {
  const stat = readStat('self');
  return stat !== undefined && stat.ttyNr !== 0 && stat.tpgid === stat.pgrp;
}

/**
 * CPU time every core of the machine has spent busy since boot (user, nice, system, irq, softirq,
 * steal), ms; undefined without /proc.
 */
export function machineBusyMs(): number | undefined {
  const text = readProcText('/proc/stat');
  if (text === undefined) return undefined;
  const fields = text.split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) * MS_PER_TICK;
}

/** VmHWM of a process (its own peak resident memory), in bytes, or 0. */
export function highWaterMark(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readProcText(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : 0;
}

/** rchar and wchar from the text of /proc/PID/io ("rchar: N\nwchar: N\n…"), or undefined. */
export function parseIo(text: string | undefined): [number, number] | undefined {
  const rchar = /^rchar: (\d+)$/m.exec(text ?? '');
  const wchar = /^wchar: (\d+)$/m.exec(text ?? '');
  return rchar && wchar ? [Number(rchar[1]), Number(wchar[1])] : undefined;
}
