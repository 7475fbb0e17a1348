package dev.portcullis.servlet.testing;

import dev.portcullis.crypto.KeyInfo;
import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSources;
import dev.portcullis.crypto.KeyStatus;
import dev.portcullis.crypto.ReloadingKeyRing;
import dev.portcullis.internal.SuppressForbidden;
import dev.portcullis.revocation.RevocationStore;
import dev.portcullis.session.SessionStore;
import dev.portcullis.testing.TestBrowser;
import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * A key rotation on two running nodes under a steady login load, as an operator does it: a key file that both nodes
 * watch ({@link KeyRingSources#watchFile}), then in turn a new key added, the new key promoted and the old key
 * retired (marked {@code REVOKED}), each written to the file as the key tool writes it, while workers keep logging
 * in and making requests on both nodes. The drill reports every authenticated request that came back anonymous (a
 * forced logout) and how long after the retirement a cookie sealed under the old key was refused on each node.
 *
 * <p>Used by the store modules' tests with their own stores: both nodes get the stores {@code storesForNode} makes.
 */
public final class KeyRotationDrill {
  /** How often each node reads the key file. */
  public static final Duration RELOAD_INTERVAL = Duration.ofMillis(200);

  private static final int OLD_KEY = 0x0a0a0a0a;
  private static final int NEW_KEY = 0x0b0b0b0b;
  private static final int WORKERS = 4;
  private static final int USERS = 6;
  private static final Duration AWAIT = Duration.ofSeconds(60);

  /** One node's stores, and what to close when the node stops. */
  public record NodeStores(
      SessionStore sessions, RevocationStore revocations, AutoCloseable closer) {}

  /**
   * What the drill saw.
   *
   * @param loginsPerPhase successful logins while the ring had one key, two keys, the new key active, the old key
   *     retired
   * @param requests authenticated requests made by the workers
   * @param forcedLogouts each authenticated request that came back anonymous, with its phase
   * @param refusedAfter per node, the time from writing the retired ring to the first refusal of the old key's
   *     cookie there
   */
  public record Report(
      Map<String, Integer> loginsPerPhase,
      int requests,
      List<String> forcedLogouts,
      List<Duration> refusedAfter) {}

  private final SecureRandom random = new SecureRandom();
  private final InMemoryUserDirectory users = new InMemoryUserDirectory(PasswordHasher.forTests());
  private final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(30))
      .build();
  private volatile String phase = "one key";
  private volatile boolean stop;
  private final Map<String, AtomicInteger> logins = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> forced = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  /**
   * Counts the phases that both nodes have read from the key file: a login that starts once it is {@code n} is made
   * under the ring of phase {@code n} on whichever node it reaches.
   */
  private final AtomicInteger phasesRead = new AtomicInteger();
  /** Per worker, {@link #phasesRead} when its current browser started logging in; -1 before its first login. */
  private final AtomicIntegerArray loggedInAt = new AtomicIntegerArray(WORKERS);

  private KeyRotationDrill() {
    for (int w = 0; w < WORKERS; w++) {
      loggedInAt.set(w, -1);
    }
    for (int i = 0; i <= USERS; i++) {
      String name = i == USERS ? "witness" : "user" + i;
      users.add(
          name,
          (name + "-pw").toCharArray(),
          new PortalUser(
              "u-" + name, name, name + "@example.org", Set.of("PROVIDER"), "org", true, "t1"));
    }
  }

  /** Runs the drill with key files under {@code dir}. */
  public static Report run(Path dir, IntFunction<NodeStores> storesForNode) throws Exception {
    return new KeyRotationDrill().drill(dir, storesForNode);
  }

  private Report drill(Path dir, IntFunction<NodeStores> storesForNode) throws Exception {
    Path file = dir.resolve("keys.txt");
    KeyRing one = KeyRing.builder()
        .add(OLD_KEY, KeyStatus.ACTIVE, Instant.EPOCH, KeyMaterial.generate(random))
        .build();
    KeyRingSources.writeFile(one, file);
    List<Node> nodes = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    try {
      nodes.add(new Node(file, storesForNode.apply(0)));
      nodes.add(new Node(file, storesForNode.apply(1)));
      for (int w = 0; w < WORKERS; w++) {
        int worker = w;
        Thread t = new Thread(() -> work(worker, nodes), "rotation-load-" + w);
        t.start();
        workers.add(t);
      }
      // A browser logged in under the old key that then stays away until the old key is retired.
      TestBrowser witness = new TestBrowser(nodes.get(0).base, client);
      login(witness, "witness");
      Map<String, String> witnessCookies = Map.copyOf(witness.cookies());
      awaitEveryWorkerLoggedIn();

      KeyRing two = one.withNewKey(NEW_KEY, KeyMaterial.generate(random), Instant.EPOCH);
      phase = "two keys";
      KeyRingSources.writeFile(two, file);
      awaitRing(nodes, r -> r.keys().size() == 2);
      phasesRead.incrementAndGet();
      awaitEveryWorkerLoggedIn();

      KeyRing promoted = two.promote(NEW_KEY);
      phase = "new key active";
      KeyRingSources.writeFile(promoted, file);
      awaitRing(nodes, r -> r.activeKey().id() == NEW_KEY);
      // Each worker's browser lives for one login and ten requests: once every worker has logged in
      // again after both nodes made the new key active, each holds a cookie sealed under the new
      // key.
      phasesRead.incrementAndGet();
      awaitEveryWorkerLoggedIn();
      for (Node node : nodes) {
        if (!whoami(node.browser(witnessCookies)).equals("u-witness")) {
          failures.add("the old key's cookie did not work before the retirement on " + node.base);
        }
      }

      phase = "old key retired";
      long written = System.nanoTime();
      KeyRingSources.writeFile(promoted.revoke(OLD_KEY), file);
      List<Duration> refusedAfter = new ArrayList<>();
      for (Node node : nodes) {
        long deadline = written + AWAIT.toNanos();
        while (whoami(node.browser(witnessCookies)).equals("u-witness")
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        refusedAfter.add(Duration.ofNanos(System.nanoTime() - written));
      }
      awaitRing(nodes, r -> statusOf(r, OLD_KEY) == KeyStatus.REVOKED);
      phasesRead.incrementAndGet();
      awaitEveryWorkerLoggedIn();
      stop = true;
      for (Thread t : workers) {
        t.join(AWAIT.toMillis());
      }
      if (!failures.isEmpty()) {
        throw new AssertionError("the drill could not run: " + failures);
      }
      Map<String, Integer> perPhase = new java.util.LinkedHashMap<>();
      for (String p : List.of("one key", "two keys", "new key active", "old key retired")) {
        AtomicInteger n = logins.get(p);
        perPhase.put(p, n == null ? 0 : n.get());
      }
      return new Report(perPhase, requests.get(), List.copyOf(forced), refusedAfter);
    } finally {
      stop = true;
      for (Thread t : workers) {
        t.join(AWAIT.toMillis());
      }
      for (Node node : nodes) {
        node.close();
      }
    }
  }

  private void work(int worker, List<Node> nodes) {
    int round = 0;
    while (!stop) {
      try {
        String user = "user" + ((worker + round) % USERS);
        TestBrowser browser = new TestBrowser(nodes.get(round % 2).base, client);
        String loginPhase = phase;
        int read = phasesRead.get();
        login(browser, user);
        logins.computeIfAbsent(loginPhase, p -> new AtomicInteger()).incrementAndGet();
        loggedInAt.set(worker, read);
        for (int i = 0; i < 10 && !stop; i++) {
          String requestPhase = phase;
          String who = whoami(browser.on(nodes.get(i % 2).base));
          requests.incrementAndGet();
          if (!who.equals("u-" + user)) {
            forced.add(requestPhase + ": " + user + " saw " + who);
          }
          Thread.sleep(30);
        }
        round++;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception | AssertionError e) {
        failures.add(e.toString());
        return;
      }
    }
  }

  private static KeyStatus statusOf(KeyRing ring, int id) {
    for (KeyInfo k : ring.keys()) {
      if (k.id() == id) {
        return k.status();
      }
    }
    return null;
  }

  /**
   * Waits until every worker has logged in a new browser since both nodes read the current phase's key file, so
   * that each phase has logins made under its ring on both nodes and every browser in use holds a cookie sealed
   * under it. Polls: a worker logs in again after its ten requests.
   */
  private void awaitEveryWorkerLoggedIn() throws InterruptedException {
    int current = phasesRead.get();
    long deadline = System.nanoTime() + AWAIT.toNanos();
    for (int w = 0; w < WORKERS; w++) {
      while (loggedInAt.get(w) < current) {
        if (!failures.isEmpty()) {
          throw new AssertionError("the drill could not run: " + failures);
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "worker " + w + " did not log in again in phase " + phase + " within " + AWAIT);
        }
        Thread.sleep(10);
      }
    }
  }

  private static void awaitRing(List<Node> nodes, Predicate<KeyRing> reached) throws Exception {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    for (Node node : nodes) {
      while (!reached.test(node.ring.current())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "node " + node.base + " did not read the key file: " + node.ring);
        }
        Thread.sleep(10);
      }
    }
  }

  private static void login(TestBrowser browser, String user) throws Exception {
    HttpResponse<String> r = PortalNode.postLogin(browser, user, user + "-pw");
    String location = r.headers().firstValue("Location").orElse("");
    if (r.statusCode() != 303 || location.contains("error")) {
      throw new AssertionError("login of " + user + " refused: " + r.statusCode() + " " + location);
    }
  }

  private static String whoami(TestBrowser browser) throws Exception {
    return PortalNode.whoami(browser);
  }

  /** One node: its own watched key ring, filter and Jetty, over the stores it was given. */
  private final class Node implements AutoCloseable {
    final ReloadingKeyRing ring;
    final PortalNode portal;
    final String base;

    @SuppressForbidden(reason = "the stores under test (Redis TTLs) run on the real clock")
    Node(Path keyFile, NodeStores stores) throws Exception {
      ReloadingKeyRing watched = KeyRingSources.watchFile(keyFile, RELOAD_INTERVAL);
      this.ring = watched;
      this.portal = PortalNode.builder(stores.sessions(), stores.revocations())
          .keyRing(watched)
          .users(users)
          .clock(InstantSource.system())
          .random(random)
          .client(client)
          .onClose(() -> {
            try {
              watched.close();
            } finally {
              stores.closer().close();
            }
          })
          .start();
      this.base = portal.base();
    }

    TestBrowser browser(Map<String, String> cookies) {
      return portal.browser(cookies);
    }

    @Override
    public void close() throws Exception {
      portal.close();
    }
  }
}
