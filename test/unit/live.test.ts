// The live view's rows (src/render/live.ts) drawn on a fake terminal: what a stage that has ended shows.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { LiveView } from '../../src/render/live.js';
import type { StageRecord } from '../../src/render/profile.js';
import { newStage } from '../../src/timer/pipeline/stage-record.js';

/** A terminal of 120 columns and 30 rows that keeps what is written to it. */
function terminal(): { out: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const out = Object.assign(new EventEmitter(), {
    columns: 120,
    rows: 30,
    write: (text: string) => {
      written += text;
      return true;
    },
  });
  // (the view's own lines, escape sequences out)
  return {
    out: out as unknown as NodeJS.WriteStream,
    text: () => written.replace(/\x1b(\[[\d;]*[A-Za-z]|[78DM])/g, '\n'),
  };
}

const ended = (pid: number, argv: string[], fields: Partial<StageRecord>): StageRecord => ({
  ...newStage(pid, pid, 0),
  argvs: new Map([[pid, argv]]),
  goneMs: 50,
  bytesIn: 700_000, // its last sample: no total
  bytesOut: 4_000,
  ...fields,
});

test("an ended stage's bytes are the report's: its whole I/O where the shell reaped it alone, else none", () => {
  const { out, text } = terminal();
  const view = new LiveView(out, (ms) => `${ms}ms`);
  const group = (pids: number[]) => ({ pids, userMs: 1, sysMs: 1, bytesIn: 7168, bytesOut: 5120 });
  view.draw(
    [
      ended(10, ['gzip', '-1'], { reapedWith: group([10]) }),
      ended(11, ['wc', '-c'], { reapedWith: group([11, 12]) }),
      ended(12, ['node', '/x/bin/mul', '--repeat', '9'], { reapedWith: group([12]) }),
      ended(13, ['sort'], {}),
    ],
    100,
  );
  view.close();
  const rows = text()
    .split('\n')
    .filter((line) => line.includes('done after'));
  assert.deepEqual(
    rows.map((row) => row.replace(/\s+/g, ' ').trim()),
    [
      'gzip -1 done after 50ms, read 7.0 KiB, wrote 5.0 KiB',
      'wc -c done after 50ms',
      'mul --repeat 9 done after 50ms',
      'sort done after 50ms',
    ],
  );
});
