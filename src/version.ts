import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './io/launcher-path.js';

export const version: string = JSON.parse(
  readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'),
).version;
