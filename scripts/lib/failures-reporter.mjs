// A node:test reporter for scripts/faults.mjs: one JSON line per failed test (its file, its name and
// its first line of error), one per test file run, and nothing else.
export default async function* failures(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, nesting, file, details } = event.data;
    const error = details?.error;
    const cause = error?.cause ?? error;
    const message = String(cause?.message ?? error?.message ?? error ?? '').split('\n')[0];
    yield `${JSON.stringify({ file, name, nesting, message: message.slice(0, 200) })}\n`;
  }
}
