import type { Command } from 'commander';

/** Registers: nlp eval-intents, nlp sentiment (issue 5). */
export function registerNlp(_program: Command): void {
  // Filled in by the issue that builds these commands.
}
