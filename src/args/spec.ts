// A program's command line, declared once: parsing, --help, completion and the man page come from it.

/** One command-line option, declared once: parsing, --help, completion and the man page come from it. */
export interface OptionDef {
  type: 'boolean' | 'integer' | 'string';
  describe: string;
  /** a one-letter short form (`-r`) */
  alias?: string;
  default?: boolean | number | string;
  /** integer options: the accepted range */
  min?: number;
  max?: number;
  /** string options: converts the text, throwing an Error whose message says why it is bad */
  parse?: (text: string) => unknown;
  /** placeholder for the value in help, e.g. "N" */
  value?: string;
  /** the only values accepted (completion offers them) */
  choices?: readonly string[];
  /** the value names a file (completion offers file names) */
  file?: boolean;
  /** string options: may be given several times; the value is then each one, in order (a string[]) */
  repeatable?: boolean;
}

export type OptionTable = Record<string, OptionDef>;

/** A program's command line: its name, what it does, and its options. */
export interface ProgramSpec {
  name: string;
  /** what it is, in a few words (the man page's NAME line) */
  summary: string;
  /** e.g. "mul [options] [FILE...]"; several forms one per line */
  synopsis: string;
  /** paragraphs separated by blank lines; each is wrapped to the terminal */
  description: string;
  options: OptionTable;
  examples?: [command: string, meaning: string][];
  /** Words after the options (timer's COMMAND, a stage's FILEs); none when absent. */
  operands?: {
    name: string;
    min: number;
    max: number;
    /** The first operand ends the options: what follows belongs to it (a command's own options). */
    haltAtFirst?: boolean;
    /** operands are files (completion offers file names) */
    files?: boolean;
  };
  /** Checks the options together; returns why they do not fit, or undefined. */
  check?: (options: Record<string, unknown>, operands: string[]) => string | undefined;
  /** Programs reached by a first word (`timer report`): completion and the man page cover them. */
  subcommands?: ProgramSpec[];
  /** More sections for the man page: [title, paragraphs]. */
  manSections?: [title: string, text: string][];
}
