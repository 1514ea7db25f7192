import type { AlertNotice, OutboundMessage } from '../model/index.js';

/** Fields of one alert notice as label/value pairs in display order, unescaped. */
export function noticeFields(notice: AlertNotice): Array<readonly [string, string]> {
  const fields: Array<readonly [string, string]> = [
    ['rule', notice.ruleName === notice.ruleId ? notice.ruleId : `${notice.ruleName} (${notice.ruleId})`],
    ['state', notice.action],
    ['severity', notice.severity],
  ];
  if (notice.group !== undefined) fields.push(['group', notice.group]);
  if (notice.value !== undefined) fields.push(['value', formatNumber(notice.value)]);
  if (notice.threshold !== undefined) fields.push(['threshold', formatNumber(notice.threshold)]);
  fields.push(['since', new Date(notice.sinceMs).toISOString()]);
  return fields;
}

/** A number as people read it: at most 4 significant decimals, no exponent for ordinary sizes. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** One plain-text line per notice: `[critical] fired cpu-allocation group=x value=0.95 threshold=0.9`. */
export function noticeLine(notice: AlertNotice): string {
  const parts = [`[${notice.severity}] ${notice.action} ${notice.ruleName}`];
  if (notice.group !== undefined) parts.push(`group=${notice.group}`);
  if (notice.value !== undefined) parts.push(`value=${formatNumber(notice.value)}`);
  if (notice.threshold !== undefined) parts.push(`threshold=${formatNumber(notice.threshold)}`);
  return parts.join(' ');
}

/** True for an http(s) URL, the only links a notification renders as links. */
export function isHttpUrl(url: string | undefined): url is string {
  if (url === undefined) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The subject with the severity in front unless it names it already (`[critical] ...`). */
export function subjectWithSeverity(message: OutboundMessage): string {
  const tag = `[${message.severity}]`;
  return message.subject.includes(tag) ? message.subject : `${tag} ${message.subject}`;
}
