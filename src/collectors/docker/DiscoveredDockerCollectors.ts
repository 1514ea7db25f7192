import { RightsizeError } from '../../errors/index.js';
import type { CollectError, CollectionResult, Sample } from '../../model/index.js';
import type { Collector } from '../types.js';
import { DockerCollector, type DockerCollectorOptions } from './DockerCollector.js';

/**
 * The Docker engines of the Mesos agents, as production Mesos+Docker sites expose them
 * (`mesos.dockerHostTemplate`, e.g. `tcp://{hostname}:2375`), followed as agents come and go.
 *
 * Each round asks `discover()` for the current endpoints, keeps one {@link DockerCollector} per
 * endpoint (so previous readings survive between rounds), closes the ones whose agent left, and
 * collects all engines concurrently. One engine that fails is one error entry for that engine;
 * the others' samples still arrive. Statically configured engines can be excluded so they are not
 * collected twice.
 */
export class DiscoveredDockerCollectors implements Collector {
  readonly target: string;
  private readonly _collectors = new Map<string, DockerCollector>();
  private _closed = false;

  constructor(
    private readonly _discover: () => readonly string[],
    private readonly _options: DockerCollectorOptions,
    template: string,
    private readonly _exclude: ReadonlySet<string> = new Set(),
  ) {
    this.target = `docker (discovered from Mesos agents: ${template})`;
  }

  /** Engines currently followed (diagnostics, tests). */
  get endpoints(): string[] {
    return [...this._collectors.keys()];
  }

  async collect(signal: AbortSignal): Promise<CollectionResult> {
    if (this._closed) throw new RightsizeError('RS_ERR_LIFECYCLE_SHUTDOWN', `${this.target} is shut down`);
    const wanted = this._discover().filter((e) => !this._exclude.has(e));
    for (const [endpoint, c] of this._collectors) {
      if (!wanted.includes(endpoint)) {
        this._collectors.delete(endpoint);
        void c.shutdown(); // idempotent and never rejects; nothing waits for it
      }
    }
    const errors: CollectError[] = [];
    for (const endpoint of wanted) {
      if (this._collectors.has(endpoint)) continue;
      try {
        this._collectors.set(endpoint, new DockerCollector(endpoint, this._options));
      } catch (err) {
        errors.push({ target: endpoint, code: err instanceof RightsizeError ? err.code : 'RS_ERR_CONFIG_INVALID', message: (err as Error).message, subject: endpoint });
      }
    }
    if (this._collectors.size === 0) return { samples: [], errors, skipped: { no_discovered_engine: 1 } };
    const entries = [...this._collectors.values()];
    const results = await Promise.allSettled(entries.map((c) => c.collect(signal)));
    const samples: Sample[] = [];
    const skipped: Record<string, number> = {};
    results.forEach((r, i) => {
      const c = entries[i] as DockerCollector;
      if (r.status === 'rejected') {
        const err = r.reason as Error;
        errors.push({ target: c.endpoint, code: err instanceof RightsizeError ? err.code : 'RS_ERR_DOCKER_API', message: err.message, subject: c.endpoint });
        return;
      }
      samples.push(...r.value.samples);
      errors.push(...r.value.errors);
      for (const [reason, n] of Object.entries(r.value.skipped ?? {})) skipped[reason] = (skipped[reason] ?? 0) + n;
    });
    return { samples, errors, skipped };
  }

  async shutdown(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    await Promise.all([...this._collectors.values()].map((c) => c.shutdown()));
    this._collectors.clear();
  }
}
