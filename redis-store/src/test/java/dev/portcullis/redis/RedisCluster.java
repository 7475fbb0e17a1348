package dev.portcullis.redis;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A real three-master Redis Cluster for tests: three {@code redis-server} processes in cluster mode on free loopback
 * ports (each with its own folder and {@code nodes.conf}, no replicas, no persistence), given a third of the 16384
 * slots each and joined with {@code CLUSTER MEET}. {@link #start()} returns once every node reports
 * {@code cluster_state:ok} and knows the other two.
 *
 * <p>Shared with other modules' tests through this module's test-jar (with {@link RedisServer}); they use
 * {@link #installed()}, {@link #start()}, {@link #uris()}, {@link #keysOn} and {@link #close()}.
 */
public final class RedisCluster implements AutoCloseable {
  static final int SLOTS = 16384;
  private static final Duration FORMING = Duration.ofSeconds(30);

  /** Why a test that needs a cluster is skipped where {@link #installed()} is false. */
  public static final String MISSING = RedisServer.MISSING;

  private final List<RedisServer> servers;
  private final List<Integer> busPorts;
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();

  private RedisCluster(List<RedisServer> servers, List<Integer> busPorts) {
    this.servers = servers;
    this.busPorts = busPorts;
    for (RedisServer server : servers) {
      RedisClient client = RedisClient.create(server.uri());
      clients.add(client);
      connections.add(client.connect());
    }
  }

  /** Whether {@code redis-server} is installed here; without it {@link #start()} cannot form a cluster. */
  public static boolean installed() {
    return RedisServer.binary().isPresent();
  }

  public static RedisCluster start() throws IOException {
    List<RedisServer> servers = new ArrayList<>();
    List<Integer> busPorts = new ArrayList<>();
    RedisCluster cluster = null;
    try {
      Set<Integer> ports = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        int port = distinctFreePort(ports);
        int bus = distinctFreePort(ports);
        busPorts.add(bus);
        servers.add(RedisServer.start(
            port,
            List.of(
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-port",
                Integer.toString(bus),
                "--cluster-node-timeout",
                "5000")));
      }
      cluster = new RedisCluster(servers, busPorts);
      cluster.form();
      return cluster;
    } catch (RuntimeException | IOException e) {
      if (cluster != null) {
        cluster.close();
      } else {
        for (RedisServer server : servers) {
          server.close();
        }
      }
      throw e;
    }
  }

  private static int distinctFreePort(Set<Integer> taken) throws IOException {
    while (true) {
      int port = RedisServer.freePort();
      if (taken.add(port)) {
        return port;
      }
    }
  }

  private void form() {
    int per = SLOTS / servers.size();
    for (int i = 0; i < servers.size(); i++) {
      int first = i * per;
      int last = i == servers.size() - 1 ? SLOTS - 1 : first + per - 1;
      node(i).clusterAddSlotsRange(Range.create(first, last));
    }
    for (int i = 1; i < servers.size(); i++) {
      // CLUSTER MEET with the bus port: Lettuce's clusterMeet assumes the port plus 10000.
      String met = node(0)
          .dispatch(
              CommandType.CLUSTER,
              new StatusOutput<>(StringCodec.UTF8),
              new CommandArgs<>(StringCodec.UTF8)
                  .add("MEET")
                  .add("127.0.0.1")
                  .add(servers.get(i).port())
                  .add(busPorts.get(i)));
      if (!"OK".equals(met)) {
        throw new IllegalStateException("CLUSTER MEET answered " + met);
      }
    }
    long deadline = System.nanoTime() + FORMING.toNanos();
    while (!formed()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the Redis Cluster did not form within " + FORMING + ": " + node(0).clusterInfo());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private boolean formed() {
    for (int i = 0; i < servers.size(); i++) {
      String info = node(i).clusterInfo();
      if (!info.contains("cluster_state:ok")
          || !info.contains("cluster_known_nodes:" + servers.size())
          || !info.contains("cluster_slots_assigned:" + SLOTS)) {
        return false;
      }
      if (node(i).clusterNodes().lines().filter(l -> l.contains("connected")).count()
          < servers.size()) {
        return false;
      }
    }
    return true;
  }

  /** The seed URIs of every node, as {@link RedisStoreConfig.Builder#clusterNodes} takes them. */
  public List<String> uris() {
    return servers.stream().map(RedisServer::uri).toList();
  }

  public int size() {
    return servers.size();
  }

  RedisServer server(int i) {
    return servers.get(i);
  }

  /** A plain connection to node {@code i} alone: it answers {@code MOVED} for keys of other nodes' slots. */
  RedisCommands<String, String> node(int i) {
    return connections.get(i).sync();
  }

  /** The node that serves {@code slot} now. */
  int nodeOf(int slot) {
    for (int i = 0; i < servers.size(); i++) {
      for (String line : node(i).clusterNodes().lines().toList()) {
        if (line.contains("myself")) {
          // id, address, flags, master, ping sent, pong received, epoch, link state, slots...
          String[] fields = line.split(" ");
          for (int f = 8; f < fields.length; f++) {
            String range = fields[f];
            if (range.matches("\\d+(-\\d+)?")) {
              String[] bounds = range.split("-");
              int from = Integer.parseInt(bounds[0]);
              int to = Integer.parseInt(bounds[bounds.length - 1]);
              if (slot >= from && slot <= to) {
                return i;
              }
            }
          }
        }
      }
    }
    throw new IllegalStateException("no node serves slot " + slot);
  }

  /** Every key under {@code prefix} that node {@code i} holds, by SCAN. */
  public List<String> keysOn(int i, String prefix) {
    List<String> keys = new ArrayList<>();
    ScanIterator.scan(node(i), ScanArgs.Builder.matches(prefix + "*").limit(500))
        .forEachRemaining(keys::add);
    return keys;
  }

  /**
   * Moves {@code slot}, with its keys, from its node to node {@code target}, the way an operator's resharding does;
   * clients that knew the old layout get {@code MOVED} for it.
   */
  void moveSlot(int slot, int target) {
    int source = nodeOf(slot);
    if (source == target) {
      throw new IllegalArgumentException("slot " + slot + " is on node " + target + " already");
    }
    String sourceId = node(source).clusterMyId();
    String targetId = node(target).clusterMyId();
    node(target).clusterSetSlotImporting(slot, sourceId);
    node(source).clusterSetSlotMigrating(slot, targetId);
    List<String> keys;
    while (!(keys = node(source).clusterGetKeysInSlot(slot, 100)).isEmpty()) {
      node(source)
          .migrate(
              "127.0.0.1", server(target).port(), 0, 5000, MigrateArgs.Builder.<String>keys(keys));
    }
    node(target).clusterSetSlotNode(slot, targetId);
    node(source).clusterSetSlotNode(slot, targetId);
    for (int i = 0; i < servers.size(); i++) {
      if (i != source && i != target) {
        node(i).clusterSetSlotNode(slot, targetId);
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (StatefulRedisConnection<String, String> c : connections) {
      c.close();
    }
    for (RedisClient c : clients) {
      c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    IOException failed = null;
    for (RedisServer server : servers) {
      try {
        server.close();
      } catch (IOException e) {
        failed = e;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }
}
