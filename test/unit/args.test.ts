// Option parsing in process (src/args/getopt.ts, and program.ts's parse): argv as getopt_long reads
// it, the GNU wording of each usage error, and the conversion of values. Run once per mutant by
// `npm run mutate`; the executables' own parsing is tested end to end in yargs.test.ts and cli.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getoptView, longNames, quoteArg } from '../../src/args/getopt.js';
import { convertOption, parseArgs, UsageError, yargsFor } from '../../src/args/program.js';
import type { OptionTable, ProgramSpec } from '../../src/args/spec.js';

const OPTIONS: OptionTable = {
  repeat: { type: 'integer', alias: 'r', default: 1, min: 1, max: 1000, describe: '' },
  zero: { type: 'boolean', alias: 'z', describe: '' },
  label: { type: 'string', alias: 'l', describe: '' },
  time: { type: 'boolean', describe: '' },
  trace: { type: 'string', describe: '' },
  mode: { type: 'string', choices: ['fast', 'slow'], default: 'fast', describe: '' },
  size: {
    type: 'string',
    describe: '',
    parse: (text) => {
      if (!/^\d+k$/.test(text)) throw new Error(`not a size ${JSON.stringify(text)}`);
      return Number.parseInt(text, 10) * 1024;
    },
  },
  help: { type: 'boolean', alias: 'h', describe: '' },
  version: { type: 'boolean', describe: '' },
};

const view = (argv: string[], haltAtFirst = false) => {
  const { argv: out, written, values: _values, ...rest } = getoptView(OPTIONS, argv, haltAtFirst);
  return { argv: out, written: Object.fromEntries(written), ...rest };
};

test('getopt: every value of each option, in argv order, however it was written', () => {
  const { values } = getoptView(
    OPTIONS,
    ['--lab=a', '-l', 'b', '-lc', '--label', '-d', '-zr5', 'x', '--', '--label', 'e'],
    false,
  );
  assert.deepEqual(Object.fromEntries(values), { label: ['a', 'b', 'c', '-d'], repeat: ['5'] });
  assert.deepEqual(Object.fromEntries(getoptView(OPTIONS, ['--label'], false).values), {});
});

test('getopt: long options by unique prefix, `=VALUE` kept, a value taken from the next word whatever it is', () => {
  assert.deepEqual(view(['--rep', '5', '--lab=-x', '--label', '-v', '--ti']), {
    argv: ['--repeat', '5', '--label=-x', '--label', '-v', '--time'],
    written: { repeat: '--repeat', label: '--label', time: '--time' },
  });
  assert.deepEqual(view(['--repeat']), { argv: ['--repeat'], written: { repeat: '--repeat' } });
  assert.deepEqual(view(['--tr', 'x']), { argv: ['--trace', 'x'], written: { trace: '--trace' } });
});

test('getopt: short options clustered, a value attached or in the next word, the last spelling remembered', () => {
  assert.deepEqual(view(['-zr5', '-l', 'x', '-z']), {
    argv: ['-zr', '5', '-l', 'x', '-z'],
    written: { zero: '-z', repeat: '-r', label: '-l' },
  });
  assert.deepEqual(view(['-r']), { argv: ['-r'], written: { repeat: '-r' } });
  assert.deepEqual(view(['-zz']), { argv: ['-zz'], written: { zero: '-z' } });
  assert.deepEqual(view(['-r', '1', '--repeat', '2']).written, { repeat: '--repeat' });
  assert.deepEqual(view(['--repeat', '2', '-r3']).written, { repeat: '-r' });
});

test('getopt: operands, `-`, `--` and haltAtFirst: what follows is left as typed', () => {
  assert.deepEqual(view(['a', '-', '-z', 'b']), { argv: ['a', '-', '-z', 'b'], written: { zero: '-z' } });
  assert.deepEqual(view(['--', '-q', '--rep']), { argv: ['--', '-q', '--rep'], written: {} });
  assert.deepEqual(view(['-z', 'cmd', '-q', '--rep'], true), {
    argv: ['-z', 'cmd', '-q', '--rep'],
    written: { zero: '-z' },
  });
  assert.equal(view(['cmd', '-q']).problem, "invalid option -- 'q'");
});

test('getopt: the first bad option in getopt’s words', () => {
  assert.deepEqual(view(['-zq', '--bogus']), {
    argv: ['-zq', '--bogus'],
    written: { zero: '-z' },
    problem: "invalid option -- 'q'",
  });
  assert.equal(view(['--bogus=1', '-q']).problem, "unrecognized option '--bogus=1'");
  assert.equal(view(['--t']).problem, "option '--t' is ambiguous; possibilities: '--time' '--trace'");
  assert.equal(view(['--time=yes']).problem, "option '--time' doesn't allow an argument");
  assert.equal(view(['--']).problem, undefined);
  assert.equal(view(['--=x']).problem, "unrecognized option '--=x'");
  assert.equal(view(['-é']).problem, "invalid option -- '\\xC3\\xA9'");
});

test('getopt: --help or --version before any bad option is a request; after one, only the problem', () => {
  assert.equal(view(['--help', '--bogus']).request, 'help');
  assert.equal(view(['-h']).request, 'help');
  assert.equal(view(['-zh']).request, 'help');
  assert.equal(view(['--vers']).request, 'version');
  assert.equal(view(['--version', '--help']).request, 'version');
  assert.equal(view(['--bogus', '--help']).request, undefined);
  assert.equal(view(['-r', '--help']).request, undefined); // --help is -r's value
  assert.equal(view(['--help=1']).request, undefined);
});

test('longNames and quoteArg', () => {
  assert.deepEqual(longNames(OPTIONS, 'time'), ['time']);
  assert.deepEqual(longNames(OPTIONS, 't'), ['time', 'trace']);
  assert.deepEqual(longNames(OPTIONS, 'x'), []);
  assert.deepEqual(longNames(OPTIONS, ''), []);
  assert.deepEqual(longNames(OPTIONS, 'toString'), []);
  const nested: OptionTable = { time: { type: 'boolean', describe: '' }, timeout: { type: 'string', describe: '' } };
  assert.deepEqual(longNames(nested, 'time'), ['time']);
  assert.deepEqual(longNames(nested, 'tim'), ['time', 'timeout']);
  assert.equal(quoteArg('né\t'), "'n\\xC3\\xA9\\x09'");
});

const SPEC: ProgramSpec = {
  name: 'demo',
  summary: '',
  synopsis: '',
  description: '',
  options: Object.fromEntries(Object.entries(OPTIONS).filter(([name]) => name !== 'help' && name !== 'version')),
  operands: { name: 'FILE', min: 0, max: 2 },
  check: (options) => (options['zero'] && options['label'] !== undefined ? '--label is not for -z' : undefined),
};
const DEFAULTS = {
  repeat: 1,
  zero: false,
  label: undefined,
  time: false,
  trace: undefined,
  mode: 'fast',
  size: undefined,
};

const usageError = (argv: string[], message: string, spec = SPEC): void =>
  assert.throws(
    () => parseArgs(spec, argv),
    (error: unknown) => error instanceof UsageError && error.message === message,
    argv.join(' '),
  );

test('parseArgs: options converted and defaulted, operands in order (after `--` too)', () => {
  assert.deepEqual(parseArgs(SPEC, []), { action: 'run', options: DEFAULTS, operands: [] });
  assert.deepEqual(parseArgs(SPEC, ['a', '-r7', '--mode=slow', '--size', '2k', '--', '-z']), {
    action: 'run',
    options: { ...DEFAULTS, repeat: 7, mode: 'slow', size: 2048 },
    operands: ['a', '-z'],
  });
  assert.deepEqual(parseArgs(SPEC, ['-z', '--time', '--trace', 't.json', '007']), {
    action: 'run',
    options: { ...DEFAULTS, zero: true, time: true, trace: 't.json' },
    operands: ['007'],
  });
  assert.deepEqual(parseArgs(SPEC, ['completion', '--bogus']), { action: 'completion' });
  assert.deepEqual(parseArgs(SPEC, ['--help', '--bogus']), { action: 'help' });
  assert.deepEqual(parseArgs(SPEC, ['--version']), { action: 'version' });
  assert.deepEqual(parseArgs({ ...SPEC, operands: undefined }, ['--version']), { action: 'version' });
});

test('parseArgs: a repeatable option is each of its values, in order, each converted; others keep the last', () => {
  const spec = { ...SPEC, options: { ...SPEC.options, size: { ...OPTIONS['size']!, repeatable: true } } };
  assert.deepEqual(parseArgs(spec, ['--size', '1k', '-r2', '--size=3k', '-r', '4']), {
    action: 'run',
    options: { ...DEFAULTS, repeat: 4, size: [1024, 3072] },
    operands: [],
  });
  assert.deepEqual(parseArgs(spec, ['--size', '2k']), {
    action: 'run',
    options: { ...DEFAULTS, size: [2048] },
    operands: [],
  });
  usageError(['--size', '1k', '--size', 'x'], '--size: not a size "x"', spec);
});

test('parseArgs: each usage error in GNU words', () => {
  usageError(['-q'], "invalid option -- 'q'");
  usageError(['--rep'], "option '--repeat' requires an argument");
  usageError(['-r'], "option requires an argument -- 'r'");
  usageError(['-r0'], "invalid value '0' for -r: expected an integer from 1 to 1000");
  usageError(['--rep=x'], "invalid value 'x' for --repeat: expected an integer from 1 to 1000");
  usageError(['--mode', 'medium'], "invalid value 'medium' for --mode: expected fast, slow");
  usageError(['--size', '2m'], '--size: not a size "2m"');
  usageError(['-z', '-l', 'x'], '--label is not for -z');
  usageError(['a', 'b', 'c\n'], "extra operand 'c\\x0A'");
  usageError([], 'missing FILE', { ...SPEC, operands: { name: 'FILE', min: 1, max: 1 } });
  usageError(['x'], "extra operand 'x'", { ...SPEC, operands: undefined });
  usageError(['--bogus', '--help'], "unrecognized option '--bogus'");
});

test('convertOption: integers as the input grammar reads them, within their range; choices; parsers get bytes', () => {
  const int = { type: 'integer', describe: '' } as const;
  assert.equal(convertOption(int, '0', '-n'), 0);
  assert.equal(convertOption(int, '9007199254740991', '-n'), Number.MAX_SAFE_INTEGER);
  assert.throws(() => convertOption(int, '9007199254740992', '-n'), {
    message: "invalid value '9007199254740992' for -n: expected an integer from 0 to 9007199254740991",
  });
  for (const bad of ['', '+1', '-1', '1e3', '1.0', ' 1', '0x1', '12345678901234567'])
    assert.throws(() => convertOption(int, bad, '-n'), { message: /^invalid value '.*' for -n: expected an integer/ });
  const ranged = { ...int, min: 2, max: 5 };
  assert.equal(convertOption(ranged, '2', '-n'), 2);
  assert.equal(convertOption(ranged, '5', '-n'), 5);
  assert.equal(convertOption(ranged, '0005', '-n'), 5);
  for (const bad of ['1', '6'])
    assert.throws(() => convertOption(ranged, bad, '--n'), {
      message: `invalid value '${bad}' for --n: expected an integer from 2 to 5`,
    });
  const text = { type: 'string', describe: '' } as const;
  assert.equal(convertOption(text, 'né', '-s'), 'né');
  assert.equal(convertOption({ ...text, choices: ['a', 'b'] }, 'b', '-s'), 'b');
  assert.equal(
    convertOption({ ...text, parse: (bytes) => [...bytes].map((c) => c.charCodeAt(0)) }, 'é', '-s')!.toString(),
    '195,169',
  );
});

test('yargsFor: configured as getopt_long behaves (each default that differs turned off)', () => {
  const table: OptionTable = {
    repeat: { type: 'integer', alias: 'r', describe: '' },
    'no-progress': { type: 'boolean', describe: '' },
    label: { type: 'string', describe: '' },
    time: { type: 'boolean', describe: '' },
  };
  const parse = (argv: string[], haltAtFirst = false) => {
    const { $0, ...parsed } = yargsFor(table, haltAtFirst)
      .fail((message) => {
        throw new Error(message);
      })
      .parseSync(argv);
    return parsed;
  };
  assert.deepEqual(parse(['--no-progress']), { _: [], 'no-progress': true });
  assert.deepEqual(parse(['-r', '3', '--repeat', '007', 'x', '1e3']), { _: ['x', '1e3'], repeat: '007' });
  assert.deepEqual(parse(['--label', '-v', '--time', '--', '--x']), { _: [], label: '-v', time: true, '--': ['--x'] });
  assert.deepEqual(parse(['cmd', '--time'], true), { _: [], '--': ['cmd', '--time'] });
  assert.deepEqual(parse(['cmd', '--time']), { _: ['cmd'], time: true });
  assert.throws(() => parse(['--repeat.x', '1']), { message: /^Unknown argument/ });
  assert.throws(() => parse(['--time=x=1', '--no-time']), { message: /^Unknown argument/ });
});

test('parseArgs: the built-in -h, a program whose first operand ends its options, checks in their own words', () => {
  assert.deepEqual(parseArgs(SPEC, ['-h']), { action: 'help' });
  const timer: ProgramSpec = {
    ...SPEC,
    check: undefined,
    operands: { name: 'COMMAND', min: 1, max: 9, haltAtFirst: true },
  };
  assert.deepEqual(parseArgs(timer, ['-z', 'cmd', '-q', '--rep']), {
    action: 'run',
    options: { ...DEFAULTS, zero: true },
    operands: ['cmd', '-q', '--rep'],
  });
  usageError(['-z'], 'missing COMMAND', timer);
  usageError(['-z', '-l', 'x'], 'Options -z and -l clash', { ...SPEC, check: () => 'Options -z and -l clash' });
  usageError(['--time=yes'], "option '--time' doesn't allow an argument");
});
