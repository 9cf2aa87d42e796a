import type { StageProfile } from '../../render/profile.js';

// The rows' short names told apart: stages running one program by what was typed, else by their place.

/**
 * Names each stage apart from the others running its program: by its text where they were placed as
 * typed (`typed`) and that program's texts differ (`gzip -1`, `gzip -9`), else by place (`add#1`, `add#2`).
 */
export function nameApart(profiles: StageProfile[], typed: boolean): void {
  const count = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const stage of profiles) counts.set(stage.name, (counts.get(stage.name) ?? 0) + 1);
    return counts;
  };
  if (typed)
    for (const [name, times] of count()) {
      // (each program's stages apart: `seq 4` twice beside `sleep-task --for 1s`, `sleep-task --for 2s`)
      const alike = profiles.filter((stage) => stage.name === name);
      if (times > 1 && new Set(alike.map((stage) => stage.command)).size === times)
        for (const stage of alike) stage.name = stage.command;
    }
  const counts = count();
  const seen = new Map<string, number>();
  for (const stage of profiles) {
    if (counts.get(stage.name)! < 2) continue;
    seen.set(stage.name, (seen.get(stage.name) ?? 0) + 1);
    stage.name = `${stage.name}#${seen.get(stage.name)}`;
  }
}
