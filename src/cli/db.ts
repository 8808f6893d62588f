import type { Command } from 'commander';

// PLACEHOLDER: the advisory store's commands (db update / status / show) land here.
export function registerDb(_program: Command): void {}
