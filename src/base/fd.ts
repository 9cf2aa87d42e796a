import { fstatSync } from 'node:fs';

/** True when fd is an open directory (Node reads one on fd 0 as empty input; cat says EISDIR). */
export function isDirectory(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}
