/**
 * Initial schema. Times are ISO-8601 UTC text ('2011-04-01T09:30:00.000Z'), which sorts
 * correctly and is readable in the sqlite3 shell. Money is REAL in the shop's currency.
 */
export const up = `
CREATE TABLE customers (
  id              INTEGER PRIMARY KEY,
  external_id     TEXT NOT NULL UNIQUE,          -- the shop's customer id, normalised ('17850.0' -> '17850')
  email           TEXT,
  country         TEXT,
  time_zone       TEXT,                          -- IANA zone; NULL means "use the shop's default"
  consent_state   TEXT NOT NULL DEFAULT 'unknown'
                  CHECK (consent_state IN ('unknown', 'granted', 'denied', 'withdrawn')),
  consent_updated_at TEXT,
  created_at      TEXT NOT NULL,
  forgotten_at    TEXT                           -- set when personal data was erased on request
);

CREATE TABLE products (
  id              INTEGER PRIMARY KEY,
  sku             TEXT NOT NULL UNIQUE,
  description     TEXT,
  kind            TEXT NOT NULL DEFAULT 'product'
                  CHECK (kind IN ('product', 'postage', 'fee', 'discount', 'manual', 'voucher', 'other')),
  last_unit_price REAL,
  first_seen_at   TEXT,
  last_seen_at    TEXT
);
CREATE INDEX products_kind ON products(kind);

CREATE TABLE imports (
  id              INTEGER PRIMARY KEY,
  file            TEXT NOT NULL,
  format          TEXT NOT NULL,
  started_at      TEXT NOT NULL,
  finished_at     TEXT,
  rows_read       INTEGER NOT NULL DEFAULT 0,
  rows_imported   INTEGER NOT NULL DEFAULT 0,
  skipped_json    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE orders (
  id              INTEGER PRIMARY KEY,
  external_id     TEXT NOT NULL UNIQUE,          -- invoice number as in the source, e.g. 'C536379'
  customer_id     INTEGER REFERENCES customers(id) ON DELETE SET NULL,  -- NULL: guest checkout
  kind            TEXT NOT NULL CHECK (kind IN ('purchase', 'cancellation', 'return')),
  ordered_at      TEXT NOT NULL,
  country         TEXT,
  import_id       INTEGER REFERENCES imports(id)
);
CREATE INDEX orders_customer_time ON orders(customer_id, ordered_at);
CREATE INDEX orders_time ON orders(ordered_at);

CREATE TABLE order_lines (
  id              INTEGER PRIMARY KEY,
  order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line_key        TEXT NOT NULL,                 -- stable identity of the line within its order (idempotent re-import)
  product_id      INTEGER NOT NULL REFERENCES products(id),
  description     TEXT,                          -- as printed on this line (may differ from the catalogue)
  quantity        INTEGER NOT NULL,              -- negative for cancelled or returned units
  unit_price      REAL NOT NULL,
  UNIQUE (order_id, line_key)
);
CREATE INDEX order_lines_product ON order_lines(product_id);

CREATE TABLE marketers (
  id              INTEGER PRIMARY KEY,
  match_kind      TEXT NOT NULL CHECK (match_kind IN ('channel_user', 'aad_object', 'email_domain', 'email')),
  value           TEXT NOT NULL,
  note            TEXT,
  added_at        TEXT NOT NULL,
  added_by        TEXT,
  UNIQUE (match_kind, value)
);

CREATE TABLE chat_identities (
  id              INTEGER PRIMARY KEY,
  channel_id      TEXT NOT NULL,                 -- 'msteams', 'slack', 'webchat', 'directline', 'emulator', ...
  channel_user_id TEXT NOT NULL,
  aad_object_id   TEXT,
  display_name    TEXT,
  email           TEXT,
  role            TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'marketer')),
  customer_id     INTEGER REFERENCES customers(id) ON DELETE SET NULL,
  verified_at     TEXT,                          -- when the link to customer_id was verified
  created_at      TEXT NOT NULL,
  last_seen_at    TEXT,
  UNIQUE (channel_id, channel_user_id)
);
CREATE INDEX chat_identities_customer ON chat_identities(customer_id);

CREATE TABLE conversation_references (
  id              INTEGER PRIMARY KEY,
  chat_identity_id INTEGER NOT NULL REFERENCES chat_identities(id) ON DELETE CASCADE,
  channel_id      TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  service_url     TEXT NOT NULL,
  tenant_id       TEXT,
  reference_json  TEXT NOT NULL,                 -- the full Bot Framework ConversationReference
  updated_at      TEXT NOT NULL,
  UNIQUE (chat_identity_id, conversation_id)
);

CREATE TABLE opt_outs (
  id              INTEGER PRIMARY KEY,
  customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  channel         TEXT,                          -- NULL: every channel
  reason          TEXT,
  opted_out_at    TEXT NOT NULL,
  revoked_at      TEXT                           -- set when the customer resubscribes
);
CREATE INDEX opt_outs_customer ON opt_outs(customer_id, revoked_at);

CREATE TABLE campaigns (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('winback', 'welcome', 'manual')),
  status          TEXT NOT NULL DEFAULT 'draft'
                  CHECK (status IN ('draft', 'scheduled', 'running', 'completed', 'cancelled')),
  audience_json   TEXT NOT NULL DEFAULT '{}',    -- segment / stage / churn threshold filters
  offer_json      TEXT NOT NULL DEFAULT '{}',    -- e.g. {"percentOff":10}
  control_share   REAL NOT NULL DEFAULT 0.1 CHECK (control_share >= 0 AND control_share < 1),
  attribution_days INTEGER NOT NULL DEFAULT 30,
  scheduled_at    TEXT,
  created_by      TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE campaign_members (
  campaign_id     INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  arm             TEXT NOT NULL CHECK (arm IN ('treatment', 'control')),
  assigned_at     TEXT NOT NULL,
  PRIMARY KEY (campaign_id, customer_id)
);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  dedupe_key      TEXT NOT NULL UNIQUE,          -- (campaign, customer, period): the exactly-once key
  campaign_id     INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
  customer_id     INTEGER REFERENCES customers(id) ON DELETE CASCADE,
  conversation_reference_id INTEGER REFERENCES conversation_references(id) ON DELETE SET NULL,
  kind            TEXT NOT NULL,                 -- 'winback', 'welcome', ...
  status          TEXT NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped', 'dead')),
  skip_reason     TEXT,                          -- 'opted_out', 'quiet_hours', 'frequency_capped', 'no_reference', ...
  payload_json    TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error      TEXT,
  activity_id     TEXT,                          -- id the channel gave the sent message
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_customer ON outbox(customer_id, sent_at);

CREATE TABLE model_runs (
  id              INTEGER PRIMARY KEY,
  model           TEXT NOT NULL,                 -- 'segments', 'churn', 'clv', 'recs', 'intents', 'sentiment', ...
  version         TEXT NOT NULL,
  as_of           TEXT,                          -- the date the model's data ends at
  trained_at      TEXT NOT NULL,
  params_json     TEXT NOT NULL DEFAULT '{}',
  metrics_json    TEXT NOT NULL DEFAULT '{}',
  artifact_path   TEXT,                          -- where the serialised model lives, if on disk
  data_fingerprint TEXT,                         -- what the model was trained on, to know when to retrain
  UNIQUE (model, version)
);
CREATE INDEX model_runs_latest ON model_runs(model, trained_at);

CREATE TABLE customer_scores (
  customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  as_of           TEXT NOT NULL,
  model_run_id    INTEGER REFERENCES model_runs(id) ON DELETE SET NULL,
  recency_days    REAL,
  frequency       INTEGER,
  monetary        REAL,
  rfm_score       TEXT,                          -- e.g. '545'
  segment         TEXT,
  cluster         INTEGER,
  churn_probability REAL,
  churn_drivers_json TEXT,
  p_alive         REAL,
  expected_purchases REAL,
  clv             REAL,
  stage           TEXT,
  PRIMARY KEY (customer_id, as_of)
);
CREATE INDEX customer_scores_as_of ON customer_scores(as_of, segment);

CREATE TABLE customer_stage_history (
  id              INTEGER PRIMARY KEY,
  customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  stage           TEXT NOT NULL,
  previous_stage  TEXT,
  changed_at      TEXT NOT NULL,
  as_of           TEXT NOT NULL
);
CREATE INDEX customer_stage_history_customer ON customer_stage_history(customer_id, changed_at);

CREATE TABLE feedback (
  id              INTEGER PRIMARY KEY,
  customer_id     INTEGER REFERENCES customers(id) ON DELETE CASCADE,
  chat_identity_id INTEGER REFERENCES chat_identities(id) ON DELETE CASCADE,
  text            TEXT NOT NULL,
  sentiment_score REAL,
  sentiment_label TEXT,
  created_at      TEXT NOT NULL
);
CREATE INDEX feedback_time ON feedback(created_at);

CREATE TABLE handoffs (
  id              INTEGER PRIMARY KEY,
  chat_identity_id INTEGER REFERENCES chat_identities(id) ON DELETE CASCADE,
  customer_id     INTEGER REFERENCES customers(id) ON DELETE CASCADE,
  reason          TEXT,
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at      TEXT NOT NULL,
  closed_at       TEXT
);

CREATE TABLE bot_state (
  key             TEXT PRIMARY KEY,              -- botbuilder Storage key
  etag            TEXT NOT NULL,
  value_json      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);

CREATE TABLE audit_log (
  id              INTEGER PRIMARY KEY,
  at              TEXT NOT NULL,
  actor           TEXT NOT NULL,                 -- 'cli', 'job:winback', 'marketer:<identity id>', ...
  action          TEXT NOT NULL,
  subject         TEXT,
  details_json    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_time ON audit_log(at);
`;
