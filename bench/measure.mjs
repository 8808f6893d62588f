// Runs the built CLI in this process and reports its peak RSS on stderr at exit
// (node's child_process gives no rusage, so the benchmark wraps the CLI instead).
import { main } from '../dist/vouch.mjs';

process.on('exit', () => {
  process.stderr.write(`\nBENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
await main(['node', 'vouch', ...process.argv.slice(2)]);
