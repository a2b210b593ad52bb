#!/usr/bin/env node
// The executable is named git-parallel so that `git parallel …` works as a git subcommand.
import module from 'node:module';

// On Node 22.1+, keep the bundle's compiled code between starts; first runs of yargs' code are most of its cost.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');
main(process.argv.slice(2));
