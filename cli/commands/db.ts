import type { Command } from 'commander';

export function registerDb(_program: Command): void {}
