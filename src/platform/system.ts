// Which system this process is on, as far as agentvisor cares: Linux (reads /proc, binds nothing
// abstract either way), portable (what both Linux and macOS offer: `ps`, `sysctl`/`uptime`, socket
// files), or unsupported (Windows). AGENTVISOR_PORTABLE=1 makes a Linux process take the portable
// paths, so the suite proves them on Linux.

export const PORTABLE_ENV = 'AGENTVISOR_PORTABLE';

/** Whether AGENTVISOR_PORTABLE asks for the portable paths (`1`, `true`, `yes`; `0`/`false`/empty do not). */
export function portableRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[PORTABLE_ENV]?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false' && value !== 'no';
}

/** True when this process must not read /proc: not on Linux, or asked to act as if it were not. */
export function isPortable(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'linux' || portableRequested(env);
}

/** Why agentvisor cannot run on `platform`, or null when it can. */
export function unsupportedPlatform(platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'win32') return null;
  return 'agentvisor runs on Linux and macOS, not on Windows: run it inside WSL (Windows Subsystem for Linux, https://learn.microsoft.com/windows/wsl/install), where it works as on Linux';
}
