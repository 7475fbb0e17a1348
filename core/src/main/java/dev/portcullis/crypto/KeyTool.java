package dev.portcullis.crypto;

import dev.portcullis.internal.SuppressForbidden;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Command-line management of a key file.
 *
 * <pre>
 * java -cp portcullis-core.jar dev.portcullis.crypto.KeyTool create  keys.txt   # the core jar is all it needs
 * java -cp ... KeyTool add     keys.txt          # new DECRYPT_ONLY key; prints its id
 * java -cp ... KeyTool promote keys.txt ID       # ID becomes ACTIVE, the old active key DECRYPT_ONLY
 * java -cp ... KeyTool revoke  keys.txt ID       # ID opens nothing any more
 * java -cp ... KeyTool list    keys.txt [--max-age-days 90]
 * java -cp ... KeyTool env     keys.txt          # the PORTCULLIS_KEY_RING value of the file, and nothing else
 * </pre>
 *
 * Exit status: 0 done, 1 the key file or request was refused, 2 usage error.
 *
 * <p><b>Security.</b> Only {@code env} prints secrets: the whole ring, keys included, as one line on standard output
 * (the form {@link KeyRingSources#fromEnvironment} reads), for a pipe into a secret store or an orchestrator's
 * secret, not for a screen or a shell history. Every other command prints ids, statuses and times only, and error
 * messages never quote a secret.
 */
public final class KeyTool {
  private final PrintStream out;
  private final PrintStream err;
  private final InstantSource clock;
  private final SecureRandom random;

  KeyTool(PrintStream out, PrintStream err, InstantSource clock, SecureRandom random) {
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.random = random;
  }

  @SuppressForbidden(
      reason = "a command-line entry point: the one place this tool takes the system clock")
  public static void main(String[] args) {
    int status =
        new KeyTool(System.out, System.err, InstantSource.system(), new SecureRandom()).run(args);
    System.exit(status);
  }

  /**
   * The key file's ring. A file its group or others may read is still read, with the warning on standard error: the
   * tool runs from the core jar alone, without SLF4J.
   */
  private KeyRing read(Path file) {
    KeyFilePermissions.othersCanRead(file, "key file " + file)
        .ifPresent(warning -> err.println("warning: " + warning));
    return KeyRingSources.readFile(file);
  }

  int run(String[] args) {
    if (args.length < 2) {
      return usage();
    }
    Path file = Path.of(args[1]);
    try {
      switch (args[0]) {
        case "create" -> {
          if (args.length != 2) {
            return usage();
          }
          int id = newId(Set.of());
          KeyRing ring = KeyRing.builder()
              .add(id, KeyStatus.ACTIVE, clock.instant(), KeyMaterial.generate(random))
              .build();
          KeyRingSources.createFile(ring, file);
          out.println("created " + file + " with active key " + KeyInfo.formatId(id));
        }
        case "add" -> {
          if (args.length != 2) {
            return usage();
          }
          KeyRing ring = read(file);
          Set<Integer> taken = new HashSet<>();
          ring.keys().forEach(k -> taken.add(k.id()));
          int id = newId(taken);
          KeyRingSources.writeFile(
              ring.withNewKey(id, KeyMaterial.generate(random), clock.instant()), file);
          out.println("added key " + KeyInfo.formatId(id)
              + " as DECRYPT_ONLY; copy the file to every node, then promote it");
        }
        case "promote", "revoke" -> {
          if (args.length != 3) {
            return usage();
          }
          KeyRing ring = read(file);
          int id = KeyInfo.parseId(args[2].toLowerCase(Locale.ROOT));
          KeyRing next = args[0].equals("promote") ? ring.promote(id) : ring.revoke(id);
          KeyRingSources.writeFile(next, file);
          out.println(
              (args[0].equals("promote") ? "promoted " : "revoked ") + KeyInfo.formatId(id));
        }
        case "env" -> {
          if (args.length != 2) {
            return usage();
          }
          out.println(KeyRingText.formatEnvironment(read(file)));
        }
        case "list" -> {
          Duration maxAge = KeyRing.DEFAULT_MAX_KEY_AGE;
          if (args.length == 4 && args[2].equals("--max-age-days")) {
            maxAge = Duration.ofDays(Long.parseLong(args[3]));
          } else if (args.length != 2) {
            return usage();
          }
          KeyRing ring = read(file);
          Instant now = clock.instant();
          Set<Integer> old = new HashSet<>();
          ring.keysOlderThan(maxAge, now).forEach(k -> old.add(k.id()));
          out.println("id        status        age(days)  created");
          for (KeyInfo k : ring.keys()) {
            out.println(String.format(
                Locale.ROOT,
                "%s  %-12s  %9d  %s%s",
                k.idHex(),
                k.status(),
                k.age(now).toDays(),
                k.createdAt(),
                old.contains(k.id()) ? "  OLDER THAN " + maxAge.toDays() + " DAYS: rotate" : ""));
          }
        }
        default -> {
          return usage();
        }
      }
      return 0;
    } catch (InvalidKeyRingException e) {
      err.println("refused: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("refused: " + e.getClass().getSimpleName() + " " + e.getMessage());
      return 1;
    } catch (NumberFormatException e) {
      return usage();
    }
  }

  private int newId(Set<Integer> taken) {
    int id;
    do {
      id = random.nextInt();
    } while (id == 0 || taken.contains(id));
    return id;
  }

  private int usage() {
    err.println(
        "usage: KeyTool create|add|env FILE | promote|revoke FILE ID | list FILE [--max-age-days N]");
    return 2;
  }
}
