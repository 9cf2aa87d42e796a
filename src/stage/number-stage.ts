import { parseNatural } from '../kernels/natural.js';
import type { Stage } from './stage.js';

/** A stage mapping the natural number on each line to one number per line; blank lines are skipped. */
export function numberStage(compute: (n: number | bigint) => number | bigint): Stage {
  return {
    processLine(text) {
      const n = parseNatural(text);
      return n === null ? undefined : compute(n);
    },
  };
}
