// POSIX-shell word splitting for string `command:`/`entrypoint:` (quotes and backslashes; no expansion).
import { splitShellWords } from '../../util/shell-words.js';

export const shlexSplit = (s: string): string[] => splitShellWords(s, true);
