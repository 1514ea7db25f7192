import { createHash } from 'node:crypto';
import type { Severity } from '../model/index.js';
import type { AlertNotice, OutboundMessage } from '../model/ports.js';
import type { PlannedNotice } from './evaluate.js';

/** One message for one receiver, with the notice ids it carries. */
export interface GroupedMessage {
  readonly receiver: string;
  readonly noticeIds: readonly string[];
  readonly message: OutboundMessage;
}

const RANK: Readonly<Record<Severity, number>> = { ok: 0, warning: 1, critical: 2 };

function statusWord(n: AlertNotice): string {
  return n.action === 'resolved' ? 'resolved' : n.action === 'repeated' ? 'still firing' : 'firing';
}

/** `[critical] cluster-cpu-allocation: firing` or `[critical] 3 alerts: a firing, b resolved, …`. */
export function subjectOf(notices: readonly AlertNotice[], severity: Severity): string {
  const one = notices[0];
  if (notices.length === 1 && one) return `[${severity}] ${one.ruleId}${one.group === undefined ? '' : ` ${one.group}`}: ${statusWord(one)}`;
  const parts = notices.slice(0, 3).map((n) => `${n.ruleId}${n.group === undefined ? '' : ` ${n.group}`} ${statusWord(n)}`);
  return `[${severity}] ${notices.length} alerts: ${parts.join(', ')}${notices.length > 3 ? ', …' : ''}`;
}

/** The plain-text body: one paragraph per alert, its message and its link. */
export function textOf(notices: readonly AlertNotice[]): string {
  return notices.map((n) => (n.url === undefined ? n.message : `${n.message}\n${n.url}`)).join('\n\n');
}

/**
 * Groups the notifications of one evaluation round by receiver: every receiver gets ONE message
 * holding all its alerts (pure). The message id is the sha1 of the receiver and the sorted notice
 * ids, so rebuilding the same group after a restart gives the same id (outbox idempotency).
 */
export function groupByReceiver(planned: readonly PlannedNotice[], createdAtMs: number): GroupedMessage[] {
  const byReceiver = new Map<string, PlannedNotice[]>();
  for (const p of planned) {
    for (const r of p.receivers) {
      const list = byReceiver.get(r) ?? [];
      if (!list.some((q) => q.id === p.id)) list.push(p);
      byReceiver.set(r, list);
    }
  }
  const out: GroupedMessage[] = [];
  for (const [receiver, list] of [...byReceiver.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...list].sort((a, b) => a.notice.ruleId.localeCompare(b.notice.ruleId) || (a.notice.group ?? '').localeCompare(b.notice.group ?? ''));
    const notices = sorted.map((p) => p.notice);
    const severity = notices.reduce<Severity>((acc, n) => (RANK[n.severity] > RANK[acc] ? n.severity : acc), 'ok');
    const noticeIds = sorted.map((p) => p.id);
    const id = createHash('sha1').update(JSON.stringify(['alert-message', receiver, [...noticeIds].sort()])).digest('hex');
    out.push({
      receiver,
      noticeIds,
      message: { id, kind: 'alert', severity, subject: subjectOf(notices, severity), text: textOf(notices), alerts: notices, createdAtMs },
    });
  }
  return out;
}
