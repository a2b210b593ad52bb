// Preloaded into git-parallel by the bench (NODE_OPTIONS=--require): at exit, appends this process's
// peak resident memory (kB, getrusage's maxrss) to GP_BENCH_PEAK_FILE. It removes both variables at
// load, so the programs git-parallel starts (git, tmux, the pane launchers) do not inherit them.
const fs = require('node:fs');

const file = process.env.GP_BENCH_PEAK_FILE;
delete process.env.GP_BENCH_PEAK_FILE;
delete process.env.NODE_OPTIONS;
if (file) process.on('exit', () => fs.appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
