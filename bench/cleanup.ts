import { rmSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { deleteTemplates } from '../src/store/index.js';

/** Removes what a bench created: every `<prefix>-*` index, the prefix's templates and its temporary folder; closes the client. */
export async function cleanUpBench(client: Client, prefix: string, dir: string): Promise<void> {
  const names = (await client.cat.indices({ index: `${prefix}-*`, format: 'json', h: 'index' }).catch(() => [])).map((r) => r.index!);
  if (names.length > 0) await client.indices.delete({ index: names }).catch(() => undefined);
  await deleteTemplates(client, prefix).catch(() => undefined);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`cleaned up ${prefix}`);
}
