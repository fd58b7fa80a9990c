/**
 * verify_codes: one-time codes sent by email to the address on a customer's order, the stronger
 * way to link a chat user to a customer record where the shop has an email channel. Only a keyed
 * hash of each code is kept (the key is verify_hash_key in app_secrets). A code belongs to the
 * chat user it was sent for and to the record whose address received it; it is closed when it is
 * used, when a newer one is sent to the same chat user, or after a few wrong tries, and it
 * expires after minutes. Rows go with the chat user (cascade) and with an erasure of the record.
 */
export const up = `
CREATE TABLE verify_codes (
  id              INTEGER PRIMARY KEY,
  chat_identity_id INTEGER NOT NULL REFERENCES chat_identities(id) ON DELETE CASCADE,
  customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  code_hash       TEXT NOT NULL,
  sent_at         TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  tries           INTEGER NOT NULL DEFAULT 0,
  closed_at       TEXT
);
CREATE INDEX verify_codes_identity ON verify_codes(chat_identity_id, sent_at);
CREATE INDEX verify_codes_customer ON verify_codes(customer_id, sent_at);
`;
