import { writeFileSync } from 'node:fs';
import { systemErrorText } from '../../base/messages.js';
import type { Comparison } from '../../render/comparison.js';
import { comparisonLines, comparisonMarkdown } from '../../render/comparison-text.js';
import { comparisonJson, pipelineJson } from '../../render/pipeline-json.js';
import type { PipelineProfile } from '../../render/profile.js';
import { pipelineReport } from '../../render/pipeline-text.js';
import { comparisonSvg, pipelineSvg } from '../../render/pipeline-svg.js';
import { visibleStrings, wrapText } from '../../render/width.js';

// What `timer --pipeline` writes once every run ended: the report (text or --json), the --svg picture
// and the --export-markdown table, for one pipeline or several compared.

export interface OutputOptions {
  json: boolean;
  svg?: string;
  markdown?: string;
  width: number;
}

/**
 * The files (--svg, --export-markdown) written, and the report's text: each pipeline's report then the
 * comparison, or one JSON document. Each file that could not be written is a line after the report.
 */
export function renderOutputs(
  profiles: PipelineProfile[],
  comparison: Comparison,
  options: OutputOptions,
  format: (ms: number) => string,
): { text: string; failures: string[] } {
  const failures: string[] = [];
  const several = profiles.length > 1;
  const write = (file: string | undefined, content: () => string): void => {
    if (file === undefined) return;
    try {
      writeFileSync(file, content());
    } catch (error) {
      failures.push(`timer: cannot write '${file}': ${systemErrorText(error)}\n`);
    }
  };
  write(options.svg, () => (several ? comparisonSvg(profiles, comparison, format) : pipelineSvg(profiles[0]!, format)));
  write(options.markdown, () => comparisonMarkdown(comparison));
  if (options.json)
    return { text: several ? comparisonJson(profiles, comparison) : pipelineJson(profiles[0]!), failures };
  // (a pipeline's text may hold an escape or a bell: shown as ^[ and ^G, never sent to the terminal)
  const shown = new Map<object, unknown>();
  const reports = profiles.map((profile) => pipelineReport(visibleStrings(profile, shown), options.width, format));
  const compared = several
    ? `${comparisonLines(visibleStrings(comparison, shown), format)
        .flatMap((line) => wrapText(line, options.width))
        .join('\n')}\n`
    : '';
  return { text: [...reports, ...(compared ? [compared] : [])].join('\n'), failures };
}
