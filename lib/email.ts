/**
 * Email addresses as retain accepts them: one plain address (no display name, no list, no
 * comments), the shape the HTML standard's `type=email` accepts. Anything looser could carry a
 * second recipient ("a@x.com,b@y.com") or a header into a message; such values are refused at
 * import and never used to send.
 */

// WHATWG HTML "valid email address": dot-atom local part, LDH labels.
const ADDRESS =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** RFC 5321: 64 octets of local part, 254 in all (what fits a forward path). */
const MAX_LENGTH = 254;

export function isEmailAddress(text: string): boolean {
  if (text.length > MAX_LENGTH || !ADDRESS.test(text)) return false;
  return text.indexOf('@') <= 64;
}

/** The form addresses are stored and compared in: trimmed, lower-cased. */
export function normaliseEmail(text: string): string {
  return text.trim().toLowerCase();
}

/** The domain of an address (the part after @). */
export function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
