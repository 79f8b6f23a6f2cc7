import net from 'node:net';
import tls from 'node:tls';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { kafkaAuthFromEnv } from '@ledger/messaging';
import { kafkaBrokers } from './isolation';

/** A Kafka client whose way to the broker a test can cut and restore, as a network partition would. */
export interface BreakableKafka {
  kafka: Kafka;
  /** Closes every open connection to the broker and refuses new ones until `heal()`. */
  break(): void;
  heal(): void;
}

/**
 * The shared test broker seen through a link that the test can break: the other test files keep
 * using the broker as usual, only this client loses it. Every connection the client opens goes
 * through the socket factory below; broken, it connects to a port nothing listens on (refused at
 * once, as an unreachable broker). The client logs nothing: the failures are the point.
 */
export function breakableKafka(clientId: string): BreakableKafka {
  const open = new Set<net.Socket>();
  let broken = false;
  const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = broken
      ? net.connect({ host: '127.0.0.1', port: 1 })
      : ssl
        ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
        : net.connect({ host, port }, onConnect);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    return socket;
  };
  const kafka = new Kafka({
    clientId,
    brokers: kafkaBrokers(),
    ...kafkaAuthFromEnv(),
    socketFactory,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
  });
  return {
    kafka,
    break() {
      broken = true;
      // With an error, as a reset connection: the client fails what it has in flight at once instead of waiting for its timeouts.
      for (const socket of open)
        socket.destroy(Object.assign(new Error('connection reset (the test cut the link)'), { code: 'ECONNRESET' }));
    },
    heal() {
      broken = false;
    },
  };
}
