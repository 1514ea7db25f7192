/**
 * The set-up every fault case shares: a scratch folder, the CLI processes it starts and, for
 * the cases with a store, a client and the prefixes to drop. One `afterAll` tears it down in a
 * fixed order: stop the processes (SIGTERM, 30 s), run the case's own cleanups in the order added
 * (a proxy, a fake engine, restarting a killed Elasticsearch), drop the prefixes, close the
 * client, remove the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll } from 'vitest';
import { testEsUrl } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import type { CliProcess } from './processes.js';

export interface FaultFixture {
  /** The case's scratch folder (configs, state files), removed at the end. */
  readonly dir: string;
  /** Every process the case starts: push them here to have them stopped at the end. */
  readonly procs: CliProcess[];
  /** A cleanup of the case's own, run after the processes stopped. */
  readonly onCleanup: (fn: () => unknown) => void;
}

export interface StoreFaultFixture extends FaultFixture {
  readonly es: Client;
  /** A prefix no other run uses, dropped (indices and templates) at the end. */
  readonly prefix: (name: string) => string;
}

function fixture(tag: string, store: { es: Client; prefixes: string[] } | undefined): FaultFixture {
  const dir = mkdtempSync(join(tmpdir(), `rs-fault-${tag}-`));
  const procs: CliProcess[] = [];
  const cleanups: Array<() => unknown> = [];
  afterAll(async () => {
    for (const p of procs) await p.stop('SIGTERM', 30_000);
    for (const fn of cleanups) await fn();
    if (store) {
      for (const p of store.prefixes) await dropPrefix(store.es, p);
      await store.es.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, procs, onCleanup: (fn) => void cleanups.push(fn) };
}

/** A case without a store (its collector writes nowhere it checks). */
export function faultFixture(tag: string): FaultFixture {
  return fixture(tag, undefined);
}

/** A case that reads what the processes wrote to Elasticsearch at `esUrl`. */
export function storeFaultFixture(tag: string, esUrl = testEsUrl()): StoreFaultFixture {
  const store = { es: testEsClient(esUrl), prefixes: [] as string[] };
  const base = fixture(tag, store);
  return {
    ...base,
    es: store.es,
    prefix: (name) => {
      const p = uniquePrefix(name);
      store.prefixes.push(p);
      return p;
    },
  };
}
