// Property tests for --log-opt parsing: any driver name and option map validates or is refused
// with an `invalid` EngineError (Docker's texts); tags expand or are refused; the labels/env
// attribute options (and their -regex forms) never throw a crash-class error nor backtrack forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { invalidOnly, near, params } from '../util/prop-check.js';
import { attrsFor } from './manager.js';
import { parseSize, type LogConfig } from './common/config.js';
import { expandTag } from './common/tag.js';
import { TEST_TAG_INFO } from './common/test-tag-info.js';
import { LOG_DRIVERS, mergeLogConfig } from './options.js';

const KEYS = [
  'max-size',
  'max-file',
  'compress',
  'tag',
  'labels',
  'labels-regex',
  'env',
  'env-regex',
  'syslog-address',
  'syslog-facility',
  'syslog-format',
  'syslog-tls-skip-verify',
  'gelf-address',
  'gelf-compression-type',
  'gelf-compression-level',
  'gelf-tcp-max-reconnect',
  'fluentd-address',
  'fluentd-async',
  'fluentd-retry-wait',
  'fluentd-max-retries',
  'fluentd-buffer-limit',
  'mode',
  'max-buffer-size',
  'bogus',
  'constructor',
];
const VALUES = [
  '',
  '1',
  '-1',
  '10m',
  '1.5g',
  'abc',
  'true',
  'false',
  'udp://127.0.0.1:12201',
  'tcp://[::1]:514',
  'unix:///dev/log',
  'tcp://h',
  'local0',
  'rfc5424',
  'gzip',
  '9',
  '10',
  '1s',
  '{{.Name}}',
  '{{.Bogus}}',
  '{{.constructor}}',
  'a,b',
  '(a+)+$',
  '[',
  'x'.repeat(300),
];
const value = fc.oneof(fc.constantFrom(...VALUES), near('0123456789kmgsx:/.{}()+*[]', 20));
const config = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 4, noNullPrototype: true });
const driver = fc.oneof(fc.constantFrom(...LOG_DRIVERS), fc.constantFrom('', 'journald', 'constructor', 'JSON-FILE'));

test('any log driver and options validate or are refused with an invalid EngineError', () => {
  const daemon: LogConfig = { Type: 'json-file', Config: {} };
  fc.assert(
    fc.property(driver, config, (Type, Config) => {
      invalidOnly(() => mergeLogConfig({ Type, Config }, daemon));
    }),
    params(1000),
  );
});

test('sizes, tags and label/env attributes: any text is an answer or an invalid EngineError', () => {
  const info = TEST_TAG_INFO;
  fc.assert(
    fc.property(value, config, (s, Config) => {
      const n = invalidOnly(() => parseSize(s));
      if (n !== undefined) assert.ok(Number.isFinite(n) && n >= 0);
      const t = invalidOnly(() => expandTag(s, info));
      if (t !== undefined) assert.equal(typeof t, 'string');
      const a = invalidOnly(() =>
        attrsFor({
          logConfig: { Type: 'json-file', Config },
          env: ['A=1', 'constructor=2', 'B'],
          labels: { a: '1', toString: 'x' },
        }),
      );
      if (a) for (const v of Object.values(a)) assert.equal(typeof v, 'string');
    }),
    params(1000),
  );
});

test('regression: a bad or catastrophic labels-regex/env-regex is refused or linear, not a SyntaxError or a hang', () => {
  const t = (Config: Record<string, string>) =>
    attrsFor({ logConfig: { Type: 'json-file', Config }, env: ['A=1'], labels: { ['a'.repeat(40) + '!']: 'v' } });
  assert.throws(() => t({ 'labels-regex': '[' }), {
    name: 'EngineError',
    message: 'error parsing regexp in log opt labels-regex: "["',
  });
  assert.throws(
    () => mergeLogConfig({ Type: 'json-file', Config: { 'env-regex': '(' } }, { Type: 'json-file', Config: {} }),
    { message: /env-regex/ },
    'refused at create',
  );
  assert.equal(t({ 'labels-regex': '(a+)+$' }), undefined, 'no label matches');
  assert.deepEqual(t({ 'env-regex': '^A$' }), { A: '1' });
  assert.throws(
    () => expandTag('{{.constructor}}', { id: 'i', name: 'n', image: 'm', imageId: 'sha256:x', daemonName: 'd' }),
    {
      message: "template: log-tag:1: can't evaluate field constructor in type *logger.Info",
    },
  );
});
