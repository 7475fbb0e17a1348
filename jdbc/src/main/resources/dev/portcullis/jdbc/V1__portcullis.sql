-- Portcullis stores on PostgreSQL, schema version 1.
--
-- Applied by a migration tool (Flyway: add classpath:dev/portcullis/jdbc to its locations) or by
-- JdbcSchema.apply(dataSource). Every statement is idempotent, so applying the file twice changes nothing.
--
-- Identifiers (session ids, ticket ids, token ids, user handles, SSO identities) are stored as SHA-256 hashes with a
-- purpose label, never as written; the user handle and the SSO issuer and subject are kept beside their hash as
-- values, because the stores must give them back. Every *_ms column is milliseconds since the epoch, by the clock of
-- the node that wrote it.

-- One row per session; id is the SHA-256 of the session id. expires_ms is the earlier of the idle and the absolute
-- timeout as of the last access: the clean-up deletes by it, while reads decide by created_ms and accessed_ms.
CREATE TABLE IF NOT EXISTS portcullis_session (
  id bytea PRIMARY KEY,
  created_ms bigint NOT NULL,
  accessed_ms bigint NOT NULL,
  expires_ms bigint NOT NULL,
  user_hash bytea,
  user_handle text
);
CREATE INDEX IF NOT EXISTS portcullis_session_user ON portcullis_session (user_hash);
CREATE INDEX IF NOT EXISTS portcullis_session_expires ON portcullis_session (expires_ms);

-- One row per session attribute; value is the attribute alone in the core's AttributeCodec form.
CREATE TABLE IF NOT EXISTS portcullis_session_attribute (
  session_id bytea NOT NULL REFERENCES portcullis_session (id) ON DELETE CASCADE ON UPDATE CASCADE,
  name text NOT NULL,
  value bytea NOT NULL,
  PRIMARY KEY (session_id, name)
);

-- Revoked auth tickets, kept until the ticket would have expired.
CREATE TABLE IF NOT EXISTS portcullis_revoked_ticket (
  ticket_hash bytea PRIMARY KEY,
  expires_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_revoked_ticket_expires ON portcullis_revoked_ticket (expires_ms);

-- Per-user cut-offs ("log out everywhere"): every ticket issued at or before the cut-off is revoked.
CREATE TABLE IF NOT EXISTS portcullis_user_cutoff (
  user_hash bytea PRIMARY KEY,
  cut_off_seconds bigint NOT NULL,
  cut_off_nanos integer NOT NULL,
  keep_until_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_user_cutoff_keep ON portcullis_user_cutoff (keep_until_ms);

-- Single-use tokens already redeemed.
CREATE TABLE IF NOT EXISTS portcullis_used_token (
  token_hash bytea PRIMARY KEY,
  keep_until_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_used_token_keep ON portcullis_used_token (keep_until_ms);

-- Links from SSO identities (issuer, subject) to portal users. They never expire.
CREATE TABLE IF NOT EXISTS portcullis_account_link (
  identity_hash bytea PRIMARY KEY,
  user_hash bytea NOT NULL,
  user_handle text NOT NULL,
  issuer text NOT NULL,
  subject text NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_account_link_user ON portcullis_account_link (user_hash);
