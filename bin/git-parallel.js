#!/usr/bin/env node
// The executable is named git-parallel so that `git parallel …` works as a git subcommand.
import { main } from '../dist/cli.js';

main(process.argv.slice(2));
