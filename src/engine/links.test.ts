import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKind } from '../errdefs.js';
import { findLink, linkNames } from './links.js';
import type { ContainerRecord } from './types.js';

const rec = (id: string, name: string, links: string[] | null = null) =>
  ({ id, name, hostConfig: { Links: links } }) as unknown as ContainerRecord;
const recs = [rec('1', 'db'), rec('2', 'web', ['/db:/web/mydb', '/db:/web/db']), rec('3', 'other', ['/gone:/other/x'])];
const find = (ref: string) => recs.find((r) => r.name === ref || r.id === ref);

test("linkNames: each target gets its parents' link names, sorted; links to missing targets name nobody", () => {
  assert.deepEqual([...linkNames(recs)], [['1', ['/web/db', '/web/mydb']]]);
});

test("findLink: moby's rmLink answers", () => {
  assert.deepEqual(findLink('web/mydb', find), { parent: recs[1], entry: '/db:/web/mydb' });
  assert.deepEqual(findLink('/web/db', find).entry, '/db:/web/db');
  const own = () => findLink('db', find);
  assert.throws(own, /Conflict, cannot remove the default link name of the container/);
  assert.throws(own, (e) => isKind(e, 'internal'), 'moby answers 500: a plain error');
  assert.throws(
    () => findLink('web/nosuch', find),
    (e: Error) => isKind(e, 'not-found') && /No such container: web\/nosuch/.test(e.message),
  );
  assert.throws(() => findLink('nobody/x', find), /No such container: nobody\/x/);
  assert.throws(() => findLink('nobody', find), /No such container: nobody/);
});
