import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize } from './common/config.js';
import { fileOptions } from './common/file-options.js';
import { LOCAL_FILES } from './local/driver.js';
import { expandTag } from './common/tag.js';
import { TEST_TAG_INFO } from './common/test-tag-info.js';
import { mergeLogConfig, validateLogConfig } from './options.js';
import { parseFacility, parseSyslogAddress, syslogOptions } from './syslog/options.js';

test('sizes like go-units', () => {
  assert.equal(parseSize('10k'), 10240);
  assert.equal(parseSize('1m'), 1048576);
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('100'), 100);
  assert.throws(() => parseSize('abc'), /invalid size: 'abc'/);
});

test('merge: empty type takes the daemon default and its options fill gaps', () => {
  const d = { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } };
  assert.deepEqual(mergeLogConfig({ Type: '', Config: { 'max-file': '5' } }, d), {
    Type: 'json-file',
    Config: { 'max-file': '5', 'max-size': '10m' },
  });
  // another type does not inherit the daemon's json-file options
  assert.deepEqual(mergeLogConfig({ Type: 'none', Config: {} }, d), { Type: 'none', Config: {} });
  assert.deepEqual(mergeLogConfig(null, { Type: 'json-file', Config: {} }), { Type: 'json-file', Config: {} });
});

test("Docker's validation messages", () => {
  assert.throws(
    () => validateLogConfig({ Type: 'foo', Config: {} }),
    /logger: no log driver named 'foo' is registered/,
  );
  assert.throws(
    () => validateLogConfig({ Type: 'json-file', Config: { 'no-such-opt': '1' } }),
    /unknown log opt 'no-such-opt' for json-file log driver/,
  );
  assert.throws(
    () => validateLogConfig({ Type: 'json-file', Config: { 'max-file': '0' } }),
    /max-file cannot be less than 1/,
  );
  assert.throws(
    () => validateLogConfig({ Type: 'json-file', Config: { 'max-size': '1k', compress: 'true' } }),
    /compress cannot be true when max-file is less than 2/,
  );
  assert.throws(
    () => validateLogConfig({ Type: 'syslog', Config: { 'syslog-address': 'foo://127.0.0.1:1' } }),
    /unsupported scheme: 'foo'/,
  );
  assert.throws(
    () =>
      validateLogConfig({
        Type: 'syslog',
        Config: { 'syslog-address': 'udp://127.0.0.1:1', 'syslog-facility': 'nosuch' },
      }),
    /invalid syslog facility/,
  );
  assert.throws(
    () => validateLogConfig({ Type: 'syslog', Config: { 'syslog-address': 'udp://h:1', 'syslog-format': 'x' } }),
    /Invalid syslog format: x/,
  );
  assert.throws(
    () => validateLogConfig({ Type: 'syslog', Config: { 'syslog-address': 'unix:///nonexistent/sock' } }),
    /no such file/,
  );
});

test('file options and local defaults', () => {
  assert.deepEqual(fileOptions({ Type: 'json-file', Config: {} }), { maxSize: -1, maxFile: 1, compress: false });
  assert.deepEqual(
    fileOptions({ Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3', compress: 'true' } }),
    { maxSize: 1024, maxFile: 3, compress: true },
  );
  assert.deepEqual(fileOptions({ Type: 'local', Config: {} }, LOCAL_FILES), {
    maxSize: 20 * 1024 * 1024,
    maxFile: 5,
    compress: true,
  }); // Docker's local defaults
  assert.deepEqual(fileOptions({ Type: 'local', Config: { 'max-file': '1' } }, LOCAL_FILES), {
    maxSize: 20 * 1024 * 1024,
    maxFile: 1,
    compress: false,
  });
});

test('syslog address, facility and framing', () => {
  assert.deepEqual(parseSyslogAddress('udp://127.0.0.1'), { proto: 'udp', address: '127.0.0.1:514' });
  assert.deepEqual(parseSyslogAddress('tcp://10.0.0.1:601'), { proto: 'tcp', address: '10.0.0.1:601' });
  assert.equal(parseFacility(undefined), 3);
  assert.equal(parseFacility('mail'), 2);
  assert.equal(parseFacility('local7'), 23);
  assert.equal(parseFacility('5'), 5);
  const o = syslogOptions(
    {
      Type: 'syslog',
      Config: { 'syslog-address': 'tcp+tls://h:6514', 'syslog-format': 'rfc5424', 'syslog-tls-skip-verify': 'true' },
    },
    'berth',
  );
  assert.equal(o.lengthFramed, true);
  assert.equal(o.tlsSkipVerify, true);
  assert.equal(syslogOptions({ Type: 'syslog', Config: { 'syslog-address': 'udp://h:1' } }, 'berth').format, 'unix');
});

test('tag templates', () => {
  const i = TEST_TAG_INFO;
  assert.equal(expandTag(undefined, i), 'a'.repeat(12));
  assert.equal(
    expandTag('{{.Name}}/{{.ImageName}}/{{.ImageID}}/{{.DaemonName}}', i),
    'web/busybox:latest/bbbbbbbbbbbb/berth',
  );
  assert.equal(expandTag('x-{{ .FullID }}', i), 'x-' + 'a'.repeat(64));
  assert.throws(() => expandTag('{{.Nope}}', i), /can't evaluate field Nope/);
});
