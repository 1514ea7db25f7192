/**
 * Keeps the process running until `signal` aborts. Every other timer of rightsize is unref'd
 * (a library never holds a process open), so a long-running command (`collect`, `serve`) calls
 * this once for its own lifetime.
 */
export function keepAliveUntil(signal: AbortSignal): void {
  if (signal.aborted) return;
  // The one ref'd timer; it does nothing but exist until the signal aborts.
  const timer = setInterval(() => undefined, 1 << 30);
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
