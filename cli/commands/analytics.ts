import type { Command } from 'commander';

/** Registers: train, eval churn, report segments|churn, customer ID (issue 3). */
export function registerAnalytics(_program: Command): void {
  // Filled in by the issue that builds these commands.
}
