import type { Command } from 'commander';

/** Registers: recommend, similar, rules, eval recs (issue 4). */
export function registerRecs(_program: Command): void {
  // Filled in by the issue that builds these commands.
}
