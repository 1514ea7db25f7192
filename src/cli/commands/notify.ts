import type { Command } from 'commander';
import { loadConfig, receiverKind } from '../../config/index.js';
import { RightsizeError } from '../../errors/index.js';
import type { OutboundMessage } from '../../model/index.js';
import { notifiersFromConfig } from '../../notifiers/index.js';
import { writeLine, type CliContext } from '../context.js';
import { intOption } from '../options.js';

interface NotifyTestOptions {
  readonly config?: string;
  readonly receiver: string;
  readonly timeoutMs?: string;
}

/** The test message: plain, recognisable, and carrying markup so the operator sees it escaped. */
export function testMessage(receiver: string, nowMs: number): OutboundMessage {
  const at = new Date(nowMs).toISOString();
  return {
    id: `test:${receiver}:${nowMs}`,
    kind: 'test',
    severity: 'ok',
    subject: `rightsize test message for receiver ${receiver}`,
    text: [
      `This is a test message from rightsize (receiver ${receiver}, sent ${at}).`,
      'If you can read it, alerts and weekly reports will reach this channel.',
      'The next line must show angle brackets as text, not as markup: <b>not bold</b>',
    ].join('\n'),
    createdAtMs: nowMs,
  };
}

/** `rightsize notify test --receiver <name>`: one delivery attempt through a configured receiver. */
export function registerNotifyCommands(program: Command, ctx: CliContext): void {
  const notify = program.command('notify').description('Check the configured receivers (email, chat, webhooks).');
  notify
    .command('test')
    .description('send one test message through receivers.<name> (one attempt, no retries) and report the outcome; exits 1 when delivery fails')
    .requiredOption('-r, --receiver <name>', 'receiver name from the receivers: section')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--timeout-ms <ms>', 'give up after this many ms (default: the receiver timeoutMs)')
    .action(async (opts: NotifyTestOptions) => {
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const r = config.receivers[opts.receiver];
      if (r === undefined) {
        const known = Object.keys(config.receivers);
        writeLine(ctx.stderr, `error RS_ERR_NOTIFY_RECEIVER_UNKNOWN: no receiver named '${opts.receiver}' (configured: ${known.length > 0 ? known.join(', ') : 'none'})`);
        ctx.exitCode = 2;
        return;
      }
      const timeoutMs = intOption(opts.timeoutMs, '--timeout-ms', r.timeoutMs, 100);
      const only = { ...config, receivers: { [opts.receiver]: r } };
      const notifier = notifiersFromConfig(only, ctx.env).get(opts.receiver);
      if (!notifier) throw new RightsizeError('RS_ERR_NOTIFY_RECEIVER_UNKNOWN', `receiver '${opts.receiver}' has no channel`);
      const startedMs = Date.now();
      try {
        await notifier.send(testMessage(opts.receiver, startedMs), AbortSignal.timeout(timeoutMs));
        writeLine(ctx.stdout, `ok: test message delivered to receiver ${opts.receiver} (${receiverKind(r) ?? notifier.kind}) in ${Date.now() - startedMs} ms`);
      } catch (err) {
        if (!(err instanceof RightsizeError)) throw err;
        writeLine(ctx.stderr, `error ${err.code}: ${err.message}`);
        ctx.exitCode = 1;
      } finally {
        await notifier.close();
      }
    });
}
