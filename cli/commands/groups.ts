/**
 * Command groups shared by several command modules (e.g. `eval churn` and `eval recs`): whichever
 * module registers first creates the group, the others find it, so the order in main.ts does not
 * matter.
 */
import type { Command } from 'commander';

const descriptions: Record<string, string> = {
  eval: 'evaluate models on a time split: train before a date, measure after it',
};

/** The sub-command `name` of `program`, created (with its shared description) if missing. */
export function findOrCreateGroup(program: Command, name: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  return program.command(name).description(descriptions[name] ?? `${name} commands`);
}

/** The `eval` group: `eval churn`, `eval recs`, ... */
export function evalGroup(program: Command): Command {
  return findOrCreateGroup(program, 'eval');
}
