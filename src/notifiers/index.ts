export { Outbox, DEFAULT_OUTBOX_POLICY } from './Outbox.js';
export type { OutboxEvent, OutboxOptions, OutboxPolicy, ReceiverStats, DropReason } from './Outbox.js';
export { RecordingNotifier } from './RecordingNotifier.js';
export { EmailNotifier, renderEmail } from './email.js';
export type { EmailNotifierOptions, RenderedEmail } from './email.js';
export { escapeHtml, escapeSlack, escapeChatMarkdown, escapeJsonString, oneLine, truncateUtf8 } from './escape.js';
export { noticeLine, noticeFields, formatNumber, subjectWithSeverity } from './render.js';
export { notifiersFromConfig, outboxFromConfig, outboxPolicy } from './fromConfig.js';
export type { Env, OutboxFromConfigOptions } from './fromConfig.js';
