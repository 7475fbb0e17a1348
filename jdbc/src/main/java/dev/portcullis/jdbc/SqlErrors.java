package dev.portcullis.jdbc;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;

/**
 * Database exceptions made fit to travel as the cause of the stores' {@link
 * dev.portcullis.revocation.StoreUnavailableException}, which callers log with its causes.
 *
 * <p><b>Security.</b> A driver's message can quote the values of the statement that failed: PostgreSQL's driver can put
 * a batch entry's bound parameters ({@code Batch entry 0 INSERT ... VALUES (('\x...'::bytea), ...)}) and the server's
 * detail ({@code Failing row contains (...)}, {@code Key (id)=(...) already exists}) into it, that is a session's store
 * key, a user's handle or a session attribute. The copy keeps the exception's kind, class name, SQLState, vendor code
 * and stack trace, never a message.
 */
final class SqlErrors {
  private static final int DEEPEST = 8;

  private SqlErrors() {}

  /**
   * {@code e} and the database exceptions among its causes and suppressed exceptions, without their messages. A cause
   * that is not a {@link SQLException} (an {@code IOException} of the connection, say) is kept as it is.
   */
  static SQLException withoutMessages(SQLException e) {
    return copy(e, 0);
  }

  private static SQLException copy(SQLException e, int depth) {
    String text = e.getClass().getName() + ", SQLState " + e.getSQLState();
    SQLException copy = sameKind(e, text);
    copy.setStackTrace(e.getStackTrace());
    Throwable cause = e.getCause();
    if (cause != null && cause != e && depth < DEEPEST) {
      copy.initCause(cause instanceof SQLException sql ? copy(sql, depth + 1) : cause);
    }
    if (depth < DEEPEST) {
      for (Throwable suppressed : e.getSuppressed()) {
        if (suppressed instanceof SQLException sql) {
          copy.addSuppressed(copy(sql, depth + 1));
        }
      }
    }
    return copy;
  }

  /** Kept so that whoever sorts failures by class (a timeout from an error, a lost connection) still can. */
  private static SQLException sameKind(SQLException e, String text) {
    String state = e.getSQLState();
    int code = e.getErrorCode();
    if (e instanceof SQLTimeoutException) {
      return new SQLTimeoutException(text, state, code);
    }
    if (e instanceof SQLTransientConnectionException) {
      return new SQLTransientConnectionException(text, state, code);
    }
    if (e instanceof SQLTransientException) {
      return new SQLTransientException(text, state, code);
    }
    if (e instanceof SQLNonTransientConnectionException) {
      return new SQLNonTransientConnectionException(text, state, code);
    }
    if (e instanceof SQLRecoverableException) {
      return new SQLRecoverableException(text, state, code);
    }
    return new SQLException(text, state, code);
  }
}
