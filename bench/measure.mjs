// Runs the built CLI in this process and reports its peak RSS and CPU time on stderr at exit
// (node's child_process gives no rusage, so the benchmark wraps the CLI instead).
import { main } from '../dist/vouch.mjs';

process.on('exit', () => {
  const ru = process.resourceUsage();
  process.stderr.write(`\nBENCH_MAXRSS_KB=${ru.maxRSS}\nBENCH_CPU_MS=${Math.round((ru.userCPUTime + ru.systemCPUTime) / 1000)}\n`);
});
await main(['node', 'vouch', ...process.argv.slice(2)]);
