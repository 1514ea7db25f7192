import type { AlertNotice, OutboundMessage } from '../../../src/model/index.js';

export const HOSTILE = '<script>alert(1)</script>';

export function notice(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    ruleId: 'queue-wait-p95',
    ruleName: 'p95 queue wait',
    group: HOSTILE,
    severity: 'critical',
    action: 'fired',
    value: 734_000,
    threshold: 600_000,
    message: `builds for label ${HOSTILE} wait 12 min (p95) & more`,
    url: 'http://rightsize.example/ui/?label=x',
    sinceMs: Date.UTC(2026, 10, 20, 8, 0, 0),
    ...overrides,
  };
}

export function alertMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: 'alert:queue-wait-p95:1',
    kind: 'alert',
    severity: 'critical',
    subject: `[critical] queue-wait-p95: firing for ${HOSTILE}`,
    text: `p95 queue wait of label ${HOSTILE} is 734000 ms (threshold 600000 ms) & rising`,
    alerts: [notice()],
    createdAtMs: Date.UTC(2026, 10, 20, 8, 10, 0),
    ...overrides,
  };
}
