import { connect, type Socket } from 'node:net';

/**
 * Opens a raw TCP connection to 127.0.0.1:`port` and resolves once connected, with a promise of its
 * close; the socket is pushed to `opened` so the test's cleanup can destroy it.
 */
export function openSocket(port: number, opened: Socket[]): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    opened.push(socket);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}
