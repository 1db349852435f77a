/**
 * Prefix matching of adapters' opaque keys, for moving a conversation to a new key: `-42` matches
 * `-42`, `-42#1` and `-42:7`, never `-421`.
 */

/** A LIKE pattern (with `\` as the escape character) for values that start with `prefix`. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** True when `key` is `prefix`, or `prefix` followed by a character that is not a letter or digit. */
export function hasKeyPrefix(key: string, prefix: string): boolean {
  if (!key.startsWith(prefix)) return false;
  return key.length === prefix.length || !/[A-Za-z0-9]/.test(key[prefix.length]);
}
