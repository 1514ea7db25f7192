import { createHash, timingSafeEqual } from 'node:crypto';

/** What a route needs: nothing (health, docs, UI assets), a read token (when configured), a write token (always). */
export type Access = 'public' | 'read' | 'write';

/** Bearer tokens from config/env (`api.readTokens`, `api.writeTokens`). Never logged or echoed. */
export interface ApiTokens {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** The outcome of checking a request's `Authorization` header against a route's access. */
export type AuthOutcome = 'ok' | 'missing' | 'invalid' | 'forbidden' | 'no_write_tokens';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Compares `presented` with every token in constant time per token (both sides hashed to 32
 * bytes first, so neither the length nor the position of a difference shows in the timing).
 */
function matchesAny(presented: Buffer, tokens: readonly Buffer[]): boolean {
  let found = false;
  for (const t of tokens) found = timingSafeEqual(presented, t) || found;
  return found;
}

/** A checker over hashed tokens (hashed once, at start). */
export function tokenChecker(tokens: ApiTokens): (access: Access, authorization: string | undefined) => AuthOutcome {
  const read = tokens.read.map(digest);
  const write = tokens.write.map(digest);
  return (access, authorization) => {
    if (access === 'public' || (access === 'read' && read.length === 0)) return 'ok';
    if (access === 'write' && write.length === 0) return 'no_write_tokens';
    const m = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
    if (m === null) return 'missing';
    const presented = digest(m[1] ?? '');
    const isWrite = matchesAny(presented, write);
    const isRead = matchesAny(presented, read);
    if (access === 'write') return isWrite ? 'ok' : isRead ? 'forbidden' : 'invalid';
    return isWrite || isRead ? 'ok' : 'invalid';
  };
}
