/**
 * `GET /events?since=…&until=…&filters=…` → container start, die and oom events (pure): restart
 * detection and how a container ended.
 */
import { done, FieldReader, isRecord, type ParseResult } from '../../../util/json.js';
import { CONTAINER_ID_PATTERN, exitCodeOf } from './bounds.js';
import { nsBetween, type DockerInstant } from './time.js';

/** A container `start` event from `GET /events` (daemon clock, exact to the nanosecond). */
export interface StartEvent {
  readonly id: string;
  readonly at: DockerInstant;
}

/** A container `die` or `oom` event (daemon clock). `exitCode` only on `die`. */
export interface ExitEvent {
  readonly id: string;
  readonly action: 'die' | 'oom';
  readonly at: DockerInstant;
  readonly exitCode?: number;
}

/**
 * The digits of the top-level `timeNano` of one event line (a JSON object), read from the text
 * because 19 digits lose their last ones in a double; undefined when the top level has no
 * `timeNano` of 7–19 plain digits. Only keys at depth 1 count (the last one wins, as in
 * `JSON.parse`): a `"timeNano"` inside `Actor` or its `Attributes` is not the event's time (the
 * fuzz of fault case 5 found a regex over the whole line taking the first one anywhere).
 */
function topLevelTimeNanoDigits(text: string): string | undefined {
  let depth = 0;
  let found: string | undefined;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      // a string: find its end, skipping escapes
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        const after = /^\s*:\s*/.exec(text.slice(j + 1, j + 40));
        if (after !== null) {
          let key: unknown;
          try {
            key = JSON.parse(text.slice(i, j + 1));
          } catch {
            key = undefined;
          }
          if (key === 'timeNano') {
            const m = /^(\d{7,19})\s*[,}]/.exec(text.slice(j + 1 + after[0].length, j + 1 + after[0].length + 21));
            found = m?.[1];
          }
        }
      }
      i = j + 1;
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    i++;
  }
  return found;
}

/** One line of an events answer → its parts, or undefined when it is not a container event of a valid id. */
function eventLine(text: string): { id: string; action: unknown; at: DockerInstant; attributes: Record<string, unknown> | undefined } | undefined {
  let ev: unknown;
  try {
    ev = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(ev)) return undefined;
  const actor = isRecord(ev['Actor']) ? ev['Actor'] : undefined;
  const id = ev['id'] ?? actor?.['ID'];
  const digits = topLevelTimeNanoDigits(text);
  if (typeof id !== 'string' || !CONTAINER_ID_PATTERN.test(id) || digits === undefined) return undefined;
  const attributes = actor !== undefined && isRecord(actor['Attributes']) ? actor['Attributes'] : undefined;
  return { id, action: ev['Action'] ?? ev['status'], at: { epochMs: Number(digits.slice(0, -6)), subMsNs: Number(digits.slice(-6)) }, attributes };
}

/**
 * Parses the body of `GET /events?since=…&until=…&filters={"type":["container"],"event":["start"]}`:
 * one JSON object per line. `timeNano` is read from the text digits, because a JSON number of
 * 19 digits loses its last ones in a double. Lines that are not start events of a valid id are
 * ignored (counted as the skip `ignored`).
 */
export function parseStartEvents(body: string, target = 'docker'): ParseResult<readonly StartEvent[]> {
  const fr = new FieldReader(target);
  const events: StartEvent[] = [];
  for (const line of body.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    const ev = eventLine(text);
    if (ev === undefined || ev.action !== 'start') {
      fr.skip('ignored');
      continue;
    }
    events.push({ id: ev.id, at: ev.at });
  }
  return done(events, fr);
}

/**
 * Parses the body of `GET /events?…&filters={"type":["container"],"event":["die","oom"]}`.
 * `die` carries `Actor.Attributes.exitCode` (a decimal string; outside [-2^31, 2^32 − 1] it is left out); `oom` is sent when the kernel
 * OOM killer hit a process of the container (Engine API "System events"). Other lines are
 * ignored (counted as the skip `ignored`).
 */
export function parseExitEvents(body: string, target = 'docker'): ParseResult<readonly ExitEvent[]> {
  const fr = new FieldReader(target);
  const events: ExitEvent[] = [];
  for (const line of body.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    const ev = eventLine(text);
    if (ev === undefined || (ev.action !== 'die' && ev.action !== 'oom')) {
      fr.skip('ignored');
      continue;
    }
    const exitCode = exitCodeOf(ev.attributes?.['exitCode']);
    events.push({ id: ev.id, action: ev.action, at: ev.at, ...(ev.action === 'die' && exitCode !== undefined && { exitCode }) });
  }
  return done(events, fr);
}

/** How a container ended, from its exit events or its inspect `State`. */
export interface ContainerExit {
  /** When it ended (daemon clock), epoch ms. */
  readonly atMs: number;
  readonly exitCode?: number;
  readonly oomKilled: boolean;
}

/**
 * The exit of container `id` from the events of a window: the newest `die`, OOM-killed when an
 * `oom` event of the same container came before it (the kernel kills, then the process dies).
 * Undefined when the window holds no `die` of it.
 */
export function exitFromEvents(events: readonly ExitEvent[], id: string): ContainerExit | undefined {
  const mine = events.filter((e) => e.id === id || e.id.startsWith(id) || id.startsWith(e.id));
  let die: ExitEvent | undefined;
  for (const e of mine) if (e.action === 'die' && (die === undefined || nsBetween(die.at, e.at) > 0)) die = e;
  if (die === undefined) return undefined;
  const d = die;
  const oom = mine.some((e) => e.action === 'oom' && nsBetween(e.at, d.at) >= 0);
  return { atMs: d.at.epochMs, oomKilled: oom, ...(d.exitCode !== undefined && { exitCode: d.exitCode }) };
}

/** True when `events` holds a start of container `id` after `prev` and no later than `cur`. */
export function startedBetween(events: readonly StartEvent[], id: string, prev: DockerInstant, cur: DockerInstant): boolean {
  return events.some((e) => (e.id === id || e.id.startsWith(id) || id.startsWith(e.id)) && nsBetween(prev, e.at) > 0 && nsBetween(e.at, cur) >= 0);
}
