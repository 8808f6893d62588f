import type { Command } from 'commander';

// PLACEHOLDER: `vouch scan` lands here.
export function registerScan(_program: Command): void {}
