import { isatty } from 'node:tty';
import { inTerminalForeground, processStartTicks } from '../base/proc.js';
import { descendants } from '../base/process-tree.js';

/** Signals timer passes on to the command's processes (a second SIGINT or SIGTERM kills them). */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];
/** Signals a terminal sends to its whole foreground process group (the command gets them itself). */
const TERMINAL_SIGNALS: readonly string[] = ['SIGINT', 'SIGQUIT', 'SIGHUP'];

/** timer's handling of signals while a command (or a pipeline's shell) runs. */
interface SignalForwarding {
  /** the command has started as `pid`: a signal that came before it is passed on now */
  started(pid: number | undefined): void;
  /** the command has ended: what it left behind after a signal is killed */
  ended(): void;
  /** removes timer's handlers */
  remove(): void;
}

/**
 * Installed before the command starts, so that no signal leaves it running without timer. A signal
 * sent to timer alone is passed on to every descendant (found through /proc); one the terminal sent
 * to the whole foreground group has reached the command already and is not sent twice; a second
 * SIGINT or SIGTERM kills the command's processes (SIGKILL). `known` collects every process seen.
 */
export function forwardSignals(known: Map<number, number>): SignalForwarding {
  let childPid: number | undefined;
  let signals = 0;
  let pendingSignal: ForwardedSignal | undefined;
  const signalTree = (signal: NodeJS.Signals): void => {
    if (childPid === undefined) return;
    const live = descendants(process.pid);
    for (const [pid, start] of live) known.set(pid, start);
    for (const pid of live.keys()) signalQuietly(pid, signal);
  };
  const onSignal = (signal: ForwardedSignal) => (): void => {
    signals += 1;
    if (childPid === undefined) {
      pendingSignal = signal;
      return;
    }
    if (signals >= 2 && (signal === 'SIGINT' || signal === 'SIGTERM')) {
      signalTree('SIGKILL'); // a second request to stop: no more waiting for the command
      return;
    }
    // A signal the terminal sent to the whole group has reached the command already: one that can
    // come from a terminal, while timer is in its foreground group and talks to it (a script's
    // `kill -INT` of a timer whose stdio are pipes is passed on).
    if (TERMINAL_SIGNALS.includes(signal) && (isatty(0) || isatty(2)) && inTerminalForeground()) return;
    signalTree(signal);
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return {
    started: (pid) => {
      childPid = pid;
      if (pendingSignal) onSignal(pendingSignal)();
    },
    // What the command started and left behind after a signal passed on to it (a background job that
    // ignores SIGINT) is ended as soon as the command has: no orphans, and no pipe held open by them.
    ended: () => {
      if (signals > 0) killLeftovers(known);
    },
    remove: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

/** Kills (SIGKILL) the processes of the command still alive, each checked by its start time. */
function killLeftovers(known: Map<number, number>): void {
  for (const [pid, start] of descendants(process.pid)) known.set(pid, start);
  for (const [pid, start] of known) {
    if (processStartTicks(pid) === start) signalQuietly(pid, 'SIGKILL'); // else gone, or the pid was reused
  }
}

/** Sends `signal` to `pid`, which may have ended meanwhile. */
export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}
