// Docker's --user rules (runc libcontainer/user GetExecUser + GetAdditionalGroups), reading the
// container's own /etc/passwd and /etc/group confined to its rootfs.
import { readFile } from 'node:fs/promises';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;

async function readRootfsFile(rootfs: string, p: string): Promise<string | null> {
  try {
    return await readFile(await secureJoin(rootfs, p), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/** The colon-separated fields of each entry of /etc/passwd or /etc/group (blank and # lines skipped). */
function colonRecords(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l !== '' && !l.startsWith('#')) out.push(l.split(':'));
  }
  return out;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return colonRecords(text).map((f) => ({
    name: f[0],
    uid: parseInt(f[2] ?? '', 10) || 0,
    gid: parseInt(f[3] ?? '', 10) || 0,
  }));
}

export function parseGroup(text: string): GroupEntry[] {
  return colonRecords(text).map((f) => ({
    name: f[0],
    gid: parseInt(f[2] ?? '', 10) || 0,
    members: (f[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

function parseId(s: string): number | null {
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n <= MAX_ID ? n : null;
}

/**
 * Resolves `user` ("", "name", "uid", "name:group", "uid:gid") and `groupAdd` (names or gids).
 * Unknown names get runc's texts, which Docker returns to the client.
 */
export async function resolveUser(
  rootfs: string,
  user: string,
  groupAdd: readonly string[] = [],
): Promise<ResolvedUser> {
  const [passwdText, groupText] = await Promise.all([
    readRootfsFile(rootfs, '/etc/passwd'),
    readRootfsFile(rootfs, '/etc/group'),
  ]);
  const sep = user.indexOf(':');
  const userArg = sep < 0 ? user : user.slice(0, sep);
  const groupArg = sep < 0 ? '' : user.slice(sep + 1);
  const uidArg = parseId(userArg);
  const gidArg = parseId(groupArg);
  if (/^\d+$/.test(userArg) && uidArg === null) throw invalid(`uids and gids must be in range 0-${MAX_ID}`);
  if (/^\d+$/.test(groupArg) && gidArg === null) throw invalid(`uids and gids must be in range 0-${MAX_ID}`);

  let uid = 0,
    gid = 0,
    name = '';
  const users =
    passwdText === null
      ? []
      : parsePasswd(passwdText).filter((u) =>
          userArg === '' ? u.uid === 0 : uidArg !== null ? u.name === userArg || u.uid === uidArg : u.name === userArg,
        );
  if (users.length > 0) {
    ({ uid, gid, name } = users[0]);
  } else if (userArg !== '') {
    if (uidArg === null) throw invalid(`unable to find user ${userArg}: no matching entries in passwd file`);
    uid = uidArg;
  }

  // moby's getUser: the primary group leads the supplementary list (`id` shows groups=0(root))
  const additionalGids: number[] = [];
  const groups = groupText === null ? null : parseGroup(groupText);
  if (groupArg !== '') {
    const g = groups?.find((x) => x.name === groupArg || (gidArg !== null && x.gid === gidArg));
    if (g) gid = g.gid;
    else if (gidArg !== null) gid = gidArg;
    else throw invalid(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (groups && name !== '') {
    for (const g of groups) if (g.members.includes(name)) additionalGids.push(g.gid);
  }

  for (const ag of groupAdd) {
    const id = parseId(ag);
    const g = groups?.find((x) => x.name === ag || (id !== null && x.gid === id));
    if (g) additionalGids.push(g.gid);
    else if (id !== null) additionalGids.push(id);
    else throw invalid(`Unable to find group ${ag}: no matching entries in group file`);
  }
  return { uid, gid, additionalGids: [...new Set([gid, ...additionalGids])] };
}
