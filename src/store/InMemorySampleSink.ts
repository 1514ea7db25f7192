import type { Sample } from '../model/index.js';
import type { SampleSink, SinkStats } from './types.js';

/** A sink that keeps everything in memory: for tests, `--print`, and library users. */
export class InMemorySampleSink implements SampleSink {
  readonly samples: Sample[] = [];
  private _shutdown = false;

  write(samples: readonly Sample[]): void {
    if (this._shutdown) return;
    this.samples.push(...samples);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  stats(): SinkStats {
    return { received: this.samples.length, indexed: this.samples.length, dropped: 0, buffered: 0, failedRequests: 0 };
  }
  shutdown(): Promise<void> {
    this._shutdown = true;
    return Promise.resolve();
  }
}
