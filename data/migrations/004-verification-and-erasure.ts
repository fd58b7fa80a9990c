/**
 * Verification that cannot be guessed, and erasure that erases.
 *
 * verify_attempts: one row per attempt to link a chat user to a customer record, so failures can
 * be limited per chat user, per customer record, per email address and per client address. The
 * email and the client address are stored only as keyed hashes (the key is in app_secrets): the
 * rows exist to count, and a typed email may be somebody else's. A chat user's rows outlive an
 * erasure of that chat user (the link is set to NULL), so "forget me" does not reset a guesser's
 * counters.
 *
 * bot_feedback: what marketers say about retain itself ("this report is useless"), kept apart
 * from customers' feedback, which drives promotion pauses and the feedback summary.
 */
export const up = `
CREATE TABLE app_secrets (
  name            TEXT PRIMARY KEY,
  value           BLOB NOT NULL
);
INSERT INTO app_secrets (name, value) VALUES ('verify_hash_key', randomblob(32));

CREATE TABLE verify_attempts (
  id              INTEGER PRIMARY KEY,
  at              TEXT NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('failed', 'succeeded')),
  chat_identity_id INTEGER REFERENCES chat_identities(id) ON DELETE SET NULL,
  customer_id     INTEGER REFERENCES customers(id) ON DELETE SET NULL,  -- owner of the order number given, if any
  email_hash      TEXT,
  address_hash    TEXT
);
CREATE INDEX verify_attempts_identity ON verify_attempts(chat_identity_id, at);
CREATE INDEX verify_attempts_customer ON verify_attempts(customer_id, at);
CREATE INDEX verify_attempts_email ON verify_attempts(email_hash, at);
CREATE INDEX verify_attempts_address ON verify_attempts(address_hash, at);
CREATE INDEX verify_attempts_time ON verify_attempts(at);

CREATE TABLE bot_feedback (
  id              INTEGER PRIMARY KEY,
  chat_identity_id INTEGER REFERENCES chat_identities(id) ON DELETE CASCADE,
  text            TEXT NOT NULL,
  sentiment_score REAL,
  sentiment_label TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX bot_feedback_time ON bot_feedback(created_at);
`;
