// Test support: the container a log tag is expanded for (web, from busybox:latest).
import type { TagInfo } from './tag.js';

export const TEST_TAG_INFO: TagInfo = {
  id: 'a'.repeat(64),
  name: '/web',
  image: 'busybox:latest',
  imageId: 'sha256:' + 'b'.repeat(64),
  daemonName: 'berth',
};
