/**
 * PostgreSQL implementations of the core's store interfaces (sessions, revocation, replay, account links) through
 * plain JDBC and the application's {@link javax.sql.DataSource}, for portals on more than one node:
 * {@link dev.portcullis.jdbc.JdbcStores} on the tables of {@link dev.portcullis.jdbc.JdbcSchema}.
 */
package dev.portcullis.jdbc;
