/** Whether every port can be bound right now (get-port probes the usual local addresses). */
export async function portsFree(ports: number[]): Promise<boolean> {
  const { default: getPort } = await import('get-port');
  for (const port of ports) {
    if ((await getPort({ port })) !== port) return false;
  }
  return true;
}
