export { renderHtml } from './html.js';
export { renderMarkdown, escapeMarkdown } from './markdown.js';
export { renderCsv } from './csv.js';
export { summaryLine, title } from './tables.js';
