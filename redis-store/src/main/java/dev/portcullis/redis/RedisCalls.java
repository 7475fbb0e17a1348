package dev.portcullis.redis;

import dev.portcullis.revocation.StoreUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every Redis command of the stores and turns any Lettuce failure (timeout, refused while disconnected, server
 * error) into {@link StoreUnavailableException}, so that callers fail closed.
 *
 * <p>Logs a warning with the operation and the kind of failure, never a key, value or argument; during an outage at
 * most one warning per {@value #WARN_EVERY_SECONDS} seconds (the rest go to debug), and one line when Redis answers
 * again.
 *
 * <p>The commands are those common to one server and to a cluster ({@link RedisClusterCommands}, which both Lettuce's
 * standalone and its cluster connection offer), so every store has one code path: on a cluster Lettuce sends each
 * command, and each script by its first key, to the node that holds the slot, and follows {@code MOVED} redirects.
 */
final class RedisCalls {
  private static final Logger LOG = LoggerFactory.getLogger(RedisStores.class);
  private static final long WARN_EVERY_SECONDS = 10;

  private final RedisClusterCommands<String, byte[]> commands;
  private final String endpoint;
  private final AtomicLong failuresInRow = new AtomicLong();
  private final AtomicLong lastWarnNanos = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  RedisCalls(RedisClusterCommands<String, byte[]> commands, String endpoint) {
    this.commands = commands;
    this.endpoint = endpoint;
  }

  /** Runs {@code command}; {@code operation} names it in logs and exceptions and must not contain data. */
  <T> T call(String operation, Function<RedisClusterCommands<String, byte[]>, T> command) {
    if (closed.get()) {
      throw new StoreUnavailableException("Redis stores closed: " + operation, null);
    }
    T result;
    try {
      result = command.apply(commands);
    } catch (RedisException | IllegalStateException e) {
      // IllegalStateException: Lettuce's timers and event loops refuse work while the stores are
      // being closed.
      throw failed(operation, e);
    }
    if (failuresInRow.get() != 0) {
      long failed = failuresInRow.getAndSet(0);
      if (failed != 0) {
        LOG.info(
            "Portcullis Redis stores at {} answer again, after {} failed call(s)",
            endpoint,
            failed);
      }
    }
    return result;
  }

  /** Runs a Lua script by its digest, sending its text only when Redis does not have it yet (new or restarted). */
  <T> T script(
      String operation, LuaScript script, ScriptOutputType type, String[] keys, byte[]... args) {
    return call(operation, c -> {
      try {
        return c.<T>evalsha(script.sha1(), type, keys, args);
      } catch (RedisNoScriptException e) {
        return c.<T>eval(script.text(), type, keys, args);
      }
    });
  }

  /** Every later call fails closed at once. True the first time only. */
  boolean close() {
    return closed.compareAndSet(false, true);
  }

  private StoreUnavailableException failed(String operation, RuntimeException e) {
    long n = failuresInRow.incrementAndGet();
    long now = System.nanoTime();
    long last = lastWarnNanos.get();
    boolean warn = n == 1 || now - last >= TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS);
    if (warn && lastWarnNanos.compareAndSet(last, now)) {
      LOG.warn(
          "Portcullis Redis store at {} could not {} ({}); failing closed, {} failed call(s) in a row",
          endpoint,
          operation,
          kind(e),
          n);
    } else {
      LOG.debug(
          "Portcullis Redis store could not {} ({})", operation, e.getClass().getSimpleName());
    }
    return new StoreUnavailableException(
        "Redis store unavailable: " + operation, withoutAnswerText(e));
  }

  /**
   * The kind of {@code e} for a log line: its class and, for an error Redis answered, the error's code (its first
   * word: {@code ERR}, {@code WRONGTYPE}, {@code NOPERM}, {@code OOM} and so on). Never the rest of Redis's answer,
   * which can quote the command's arguments ({@code ERR unknown command 'EVALSHA', with args beginning with: ...}
   * where an operator renamed a command): keys, a user's handle, session attributes.
   */
  static String kind(RuntimeException e) {
    String name = e.getClass().getSimpleName();
    return e instanceof RedisCommandExecutionException
        ? name + " " + errorCode(e.getMessage())
        : name;
  }

  /** The first word of an error Redis answered when it is an error code (capital letters), or {@code ERROR}. */
  private static String errorCode(String answer) {
    if (answer == null) {
      return "ERROR";
    }
    int end = 0;
    while (end < answer.length()
        && end < 32
        && answer.charAt(end) >= 'A'
        && answer.charAt(end) <= 'Z') {
      end++;
    }
    boolean word = end > 0 && (end == answer.length() || answer.charAt(end) == ' ');
    return word ? answer.substring(0, end) : "ERROR";
  }

  /**
   * {@code e} as the cause the stores' exception carries, which callers log with their causes: an error Redis
   * answered is replaced by one of the same class's kind that keeps its code and stack trace but not its text (see
   * {@link #kind}); Lettuce's own failures (timeouts, lost connections) name no data and stay as they are.
   */
  private static RuntimeException withoutAnswerText(RuntimeException e) {
    if (!(e instanceof RedisCommandExecutionException)) {
      return e;
    }
    RedisCommandExecutionException copy = new RedisCommandExecutionException(kind(e)
        + " (the rest of Redis's answer is left out: it can quote the command's arguments)");
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }
}
