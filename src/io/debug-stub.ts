/**
 * A silent stand-in for the `debug` package in the bundle (scripts/build.mjs aliases it here). simple-git
 * and its @kwsites helpers log through `debug` only when DEBUG=simple-git is set, and loading the real
 * one costs more than the rest of simple-git's chunk at start-up (it reads the environment, probes the
 * terminal's colours and looks for supports-color). git-parallel's own `--verbose` says what failed.
 */
export interface Logger {
  (...args: unknown[]): void;
  extend(namespace: string): Logger;
  enabled: boolean;
  namespace: string;
}

function createDebug(namespace: string): Logger {
  const logger = (() => {}) as unknown as Logger;
  logger.enabled = false;
  logger.namespace = namespace;
  logger.extend = (more: string) => createDebug(`${namespace}:${more}`);
  return logger;
}
createDebug.formatters = {} as Record<string, (value: unknown) => string>;
createDebug.enable = (_namespaces: string) => {};
createDebug.enabled = (_namespace: string) => false;

export default createDebug;
