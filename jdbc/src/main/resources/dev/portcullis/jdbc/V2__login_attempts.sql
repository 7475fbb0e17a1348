-- Portcullis stores on PostgreSQL, schema version 2: the login limit shared by every node.
--
-- Applied after V1 by a migration tool or by JdbcSchema.apply(dataSource). Every statement is idempotent.
-- Keys are SHA-256 hashes (with a purpose label) of the login throttle's keys, which are already keyed hashes: never a
-- username or a client address. Every *_ms column is milliseconds since the epoch, by the clock of the node that wrote
-- it.

-- One row per login budget: the attempt ids holding a slot and the times their slots were taken, side by side.
-- A reservation locks the row, so that of concurrent reservations on any number of nodes at most the limit hold a
-- slot within one window. keep_until_ms is one window (plus the clock skew) after the newest slot; the clean-up
-- deletes by it.
CREATE TABLE IF NOT EXISTS portcullis_login_budget (
  budget_hash bytea PRIMARY KEY,
  slot_ids bigint[] NOT NULL,
  slot_ms bigint[] NOT NULL,
  keep_until_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_login_budget_keep ON portcullis_login_budget (keep_until_ms);

-- Client addresses that have logged in to an account before, known until known_until_ms; the clean-up deletes by
-- keep_until_ms (the same instant plus the clock skew).
CREATE TABLE IF NOT EXISTS portcullis_known_address (
  address_hash bytea PRIMARY KEY,
  known_until_ms bigint NOT NULL,
  keep_until_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_known_address_keep ON portcullis_known_address (keep_until_ms);
