import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheRow, verboseDiskUsage } from './disk-usage.js';

const now = Date.parse('2026-01-01T00:00:00Z');
const img = {
  Id: `sha256:${'a'.repeat(64)}`,
  Created: now / 1000 - 3600,
  Containers: 1,
  Labels: null,
  ParentId: '',
  RepoDigests: null,
  RepoTags: ['docker.io/library/busybox:latest', 'x/y:1'],
  SharedSize: 1000,
  Size: 3000,
};
const cache = (ID: string, LastUsedAt: string | null, InUse = false) => ({
  ID,
  Type: 'regular',
  Description: 'd',
  InUse,
  Shared: false,
  Size: 1500,
  CreatedAt: '2025-12-31T00:00:00Z',
  LastUsedAt,
  UsageCount: 2,
});

test('system df -v: four tables, first tag only, the build cache total and records by last use', () => {
  const out = verboseDiskUsage(
    {
      Images: [img, { ...img, Id: `sha256:${'b'.repeat(64)}`, RepoTags: ['<none>:<none>'], Containers: 0 }],
      Volumes: [{ Name: 'v', Driver: 'local', Mountpoint: '/m', Labels: null, UsageData: { Size: 10, RefCount: 1 } }],
      BuildCache: [cache('bbbbbbbbbbbbbbbb', '2025-12-31T12:00:00Z', true), cache('aaaaaaaaaaaaaaaa', null)],
    },
    '',
    now,
  );
  const lines = out.split('\n');
  assert.equal(lines[0], 'Images space usage:');
  assert.match(lines[3], /^busybox\s+latest\s+aaaaaaaaaaaa\s+About an hour ago\s+3kB\s+1kB\s+2kB\s+1$/);
  assert.match(lines[4], /^<none>\s+<none>\s+bbbbbbbbbbbb/);
  assert.ok(lines.includes('Containers space usage:'));
  assert.match(out, /VOLUME NAME\s+LINKS\s+SIZE\nv\s+1\s+10B\n/);
  assert.match(out, /\nBuild cache usage: 3kB\n\nCACHE ID\s+CACHE TYPE/);
  // never-used records first; an in-use ID ends in *
  assert.match(out, /aaaaaaaaaaaa\s+regular[^\n]*\nbbbbbbbbbbbb\*\s+regular/);
});

test('system df -v --format: json of the four lists, templates over them', () => {
  const du = { Images: [img], Containers: [], Volumes: null };
  const j = JSON.parse(verboseDiskUsage(du, 'json', now));
  assert.deepEqual(Object.keys(j), ['Images', 'Containers', 'Volumes', 'BuildCache']);
  assert.equal(j.Images[0].Repository, 'busybox');
  assert.equal(j.Images[0].UniqueSize, '2kB');
  assert.equal(
    verboseDiskUsage(du, '{{range .Images}}{{.Tag}} {{.ID}}{{end}}', now),
    `latest sha256:${'a'.repeat(64)}`,
  );
  assert.equal(verboseDiskUsage(du, 'table {{len .Images}}', now), '1');
});

test('build cache row: parents joined, truncated with --no-trunc off', () => {
  const r = cacheRow({ ...cache('c'.repeat(20), null), Parents: ['p'.repeat(20)] }, true, now);
  assert.equal(r.ID, 'cccccccccccc');
  assert.equal(r.Parent, 'pppppppppppp');
  assert.equal(r.LastUsedSince, '');
  assert.equal(r.CreatedSince, '24 hours ago');
});
