import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 (port 0 or a given one) that parses every mail it accepts. */
export interface TestSmtp {
  readonly port: number;
  readonly mails: ParsedMail[];
  /** Epoch ms each mail was accepted (parsed, before the 250 reply), in the order of `mails`. */
  readonly receivedAtMs: number[];
  /** Envelope recipients per mail, in order. */
  readonly recipients: string[][];
  /** Logins seen (user names). */
  readonly logins: string[];
  /** Connections that upgraded with STARTTLS or came in over TLS. */
  readonly secureSessions: number;
  close(): Promise<void>;
}

export async function startSmtp(options: Partial<SMTPServerOptions> & { port?: number; users?: Record<string, string> } = {}): Promise<TestSmtp> {
  const mails: ParsedMail[] = [];
  const receivedAtMs: number[] = [];
  const recipients: string[][] = [];
  const logins: string[] = [];
  let secureSessions = 0;
  const { port = 0, users, ...rest } = options;
  const server = new SMTPServer({
    // STARTTLS only with a certificate of the test's own (the package's built-in one has expired).
    disabledCommands: [...(users ? [] : ['AUTH']), ...(rest.key ? [] : ['STARTTLS'])],
    authOptional: !users,
    logger: false,
    ...rest,
    onAuth(auth, _session, callback) {
      if (users && auth.username !== undefined && users[auth.username] === auth.password) {
        logins.push(auth.username);
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      if (session.secure) secureSessions += 1;
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          receivedAtMs.push(Date.now());
          recipients.push(session.envelope.rcptTo.map((r) => r.address));
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return {
    port: address.port,
    mails,
    receivedAtMs,
    recipients,
    logins,
    get secureSessions() {
      return secureSessions;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
