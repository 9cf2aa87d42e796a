// The span merger of both trace writers (src/trace/spans.ts), in process: which items join a lane's
// open span, what a flush writes, when a lane is new. Worked by hand against the contract.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ItemSpan, SpanMerger, STAGE_MERGE_MS, TIMER_MERGE_MS } from '../../src/trace/spans.js';

/** A merger over `mergeMs` and what it wrote and named. */
const merger = (mergeMs: number) => {
  const written: [number, ItemSpan][] = [];
  const lanes: number[] = [];
  const spans = new SpanMerger(
    mergeMs,
    (lane, span) => written.push([lane, { ...span }]),
    (lane) => lanes.push(lane),
  );
  return { spans, written, lanes };
};

test('spans: the thresholds the writers use', () => {
  assert.equal(TIMER_MERGE_MS, 1);
  assert.equal(STAGE_MERGE_MS, 5);
});

test('spans: an item ending under mergeMs after the open span began joins it (count added); at mergeMs, its own', () => {
  const { spans, written, lanes } = merger(5);
  spans.add(1, 1, 'a', 10, 11);
  spans.add(1, 2, 'a', 11, 14.99, 3); // 4.99 after the start: joins, with its 3 items
  assert.deepEqual(written, [], 'nothing written while a span is open');
  spans.add(1, 5, 'a', 14.99, 15); // 5 after the start: the next span
  spans.add(1, 6, 'a', 15, 15.5);
  spans.flush();
  assert.deepEqual(lanes, [1]);
  assert.deepEqual(written, [
    [1, { startMs: 10, endMs: 14.99, line: 1, count: 4, file: 'a' }],
    [1, { startMs: 14.99, endMs: 15.5, line: 5, count: 2, file: 'a' }],
  ]);
});

test('spans: another file opens a span even within mergeMs; lanes keep their own spans, named once each', () => {
  const { spans, written, lanes } = merger(100);
  spans.add(2, 1, undefined, 0, 1);
  spans.add(3, 1, undefined, 0, 2);
  spans.add(2, 2, undefined, 1, 2); // back on lane 2 (not the last lane used): joins lane 2's span
  spans.add(2, 1, 'b', 2, 3); // a file: its own span
  spans.add(3, 2, undefined, 2, 3);
  spans.flush();
  spans.flush(); // nothing open: writes nothing more
  assert.deepEqual(lanes, [2, 3]);
  assert.deepEqual(written, [
    [2, { startMs: 0, endMs: 2, line: 1, count: 2, file: undefined }],
    [2, { startMs: 2, endMs: 3, line: 1, count: 1, file: 'b' }],
    [3, { startMs: 0, endMs: 3, line: 1, count: 2, file: undefined }],
  ]);
  // after a flush, lanes are not new and nothing joins the spans written
  spans.add(3, 3, undefined, 3, 3.5);
  spans.add(2, 3, undefined, 3, 3.5);
  spans.flush();
  assert.deepEqual(lanes, [2, 3]);
  assert.deepEqual(written.slice(3), [
    [2, { startMs: 3, endMs: 3.5, line: 3, count: 1, file: undefined }], // lanes in the order of their first item
    [3, { startMs: 3, endMs: 3.5, line: 3, count: 1, file: undefined }],
  ]);
});

test('spans: without a newLane listener, the merger works the same', () => {
  const written: ItemSpan[] = [];
  const spans = new SpanMerger(1, (_, span) => written.push({ ...span }));
  spans.add(0, 1, undefined, 0, 0.5);
  spans.add(0, 2, undefined, 0.5, 0.9);
  spans.flush();
  assert.deepEqual(written, [{ startMs: 0, endMs: 0.9, line: 1, count: 2, file: undefined }]);
});
