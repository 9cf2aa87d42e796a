// The one /proc reader (src/base/proc.ts): the auxiliary vector's page size and clock ticks, checked
// against getconf, and the stat fields beyond the sampler's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sh } from './helpers.js';
import { waitFor } from './states.js';
import { PAGE_BYTES, parseAuxv, parseStat, processStartTicks, TICKS_PER_SECOND } from '../src/base/proc.js';
import { descendants } from '../src/base/process-tree.js';

/** An auxiliary vector of (type, value) pairs as the kernel writes it, in words of `wordBytes`. */
function auxvBytes(pairs: [number, number][], wordBytes: 4 | 8, littleEndian: boolean): Buffer {
  const bytes = Buffer.alloc(pairs.length * 2 * wordBytes);
  pairs.flat().forEach((value, index) => {
    const at = index * wordBytes;
    if (wordBytes === 4) littleEndian ? bytes.writeUInt32LE(value, at) : bytes.writeUInt32BE(value, at);
    else littleEndian ? bytes.writeBigUInt64LE(BigInt(value), at) : bytes.writeBigUInt64BE(BigInt(value), at);
  });
  return bytes;
}

test('parseAuxv: type → value up to AT_NULL, in 4- and 8-byte words of either byte order', () => {
  const pairs: [number, number][] = [
    [33, 140_000_000_000],
    [6, 65_536],
    [17, 250],
    [0, 0],
    [6, 1],
  ];
  for (const littleEndian of [true, false]) {
    const wide = parseAuxv(auxvBytes(pairs, 8, littleEndian), 8, littleEndian);
    assert.deepEqual(
      [...wide],
      [
        [33, 140_000_000_000],
        [6, 65_536],
        [17, 250],
      ],
    );
    const narrow = parseAuxv(auxvBytes(pairs.slice(1), 4, littleEndian), 4, littleEndian);
    assert.deepEqual(
      [...narrow],
      [
        [6, 65_536],
        [17, 250],
      ],
    );
  }
  assert.deepEqual([...parseAuxv(Buffer.alloc(0), 8, true)], []);
  // a vector cut mid-pair: the whole pairs only
  assert.deepEqual([...parseAuxv(auxvBytes([[6, 4096]], 8, true).subarray(0, 12), 8, true)], []);
});

test('the page size and clock ticks come from this system: as getconf PAGESIZE and getconf CLK_TCK say', async () => {
  assert.equal(PAGE_BYTES, Number((await sh('getconf PAGESIZE')).stdout.trim()));
  assert.equal(TICKS_PER_SECOND, Number((await sh('getconf CLK_TCK')).stdout.trim()));
});

test('parseStat: parent, process group, terminal fields, read as the kernel writes them', () => {
  const text = readFileSync('/proc/self/stat', 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const stat = parseStat(text);
  assert.equal(stat.ppid, process.ppid);
  assert.deepEqual(
    [stat.ppid, stat.pgrp, stat.ttyNr, stat.tpgid, stat.userTicks, stat.startTicks],
    [1, 2, 4, 5, 11, 19].map((index) => Number(fields[index])),
  );
});

test('descendants: a child and its child, each with its start ticks', async () => {
  const child = spawn('sh', ['-c', 'sleep 5 & wait'], { stdio: 'ignore' });
  try {
    const comm = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'latin1');
    let found = new Map<number, number>();
    // (until the shell's fork has run sleep: a fork is named sh until its exec)
    await waitFor('the shell and its sleep', async () => {
      found = descendants(process.pid);
      return found.size === 2 && [...found.keys()].some((pid) => pid !== child.pid && comm(pid) === 'sleep\n');
    });
    assert.ok(found.has(child.pid!));
    for (const [pid, ticks] of found) assert.equal(ticks, processStartTicks(pid));
  } finally {
    child.kill();
  }
});
