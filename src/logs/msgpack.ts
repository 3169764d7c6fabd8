// Moved to fluentd/msgpack.ts; this path stays for test/integration/logging/fluentd.test.ts until it imports the new one.
export * from './fluentd/msgpack.js';
