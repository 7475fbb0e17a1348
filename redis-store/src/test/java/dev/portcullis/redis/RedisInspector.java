package dev.portcullis.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain connection beside the stores, to look at what they wrote. */
final class RedisInspector implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  RedisInspector(RedisServer server) {
    client = RedisClient.create(server.uri());
    connection = client.connect();
  }

  RedisCommands<String, String> commands() {
    return connection.sync();
  }

  /** Every key under {@code prefix}, by SCAN. */
  List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    ScanIterator.scan(commands(), ScanArgs.Builder.matches(prefix + "*").limit(500))
        .forEachRemaining(keys::add);
    return keys;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
