package dev.portcullis.revocation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.portcullis.internal.Tickers;
import dev.portcullis.internal.TicketRevocations;
import dev.portcullis.ticket.AuthTicket;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * {@link RevocationStore} in Caffeine: each entry expires when the ticket it concerns would have. Bounded: when more
 * than {@code maximumSize} entries would be held, the build-time size is the limit and the oldest are evicted, so
 * size it above the number of revocations expected within one ticket lifetime.
 *
 * <p>The check of a request's ticket ({@link TicketRevocations}) first asks a count of the held keys per hash slot
 * ({@link HeldKeyCounts}): while no revoked ticket id and no user cut-off shares the ticket's slots, it answers "not
 * revoked" without making the ticket id's hex key or reading the caches.
 */
final class CaffeineRevocationStore implements RevocationStore, TicketRevocations {
  /** The hash of a key that no ticket's {@link AuthTicket#ticketIdHex()} can be, so it is not counted. */
  private static final int NOT_A_TICKET_ID = 0;

  private record Entry(Instant value, Instant keepUntil) {}

  private final InstantSource clock;
  private final Cache<String, Entry> tickets;
  private final Cache<String, Entry> users;
  private final HeldKeyCounts ticketIds = new HeldKeyCounts();
  private final HeldKeyCounts userHandles = new HeldKeyCounts();

  CaffeineRevocationStore(InstantSource clock, long maximumSize) {
    this.clock = Objects.requireNonNull(clock, "clock");
    Expiry<String, Entry> untilKeep = new Expiry<>() {
      @Override
      public long expireAfterCreate(String key, Entry e, long currentTime) {
        return Tickers.nanosUntil(clock, e.keepUntil());
      }

      @Override
      public long expireAfterUpdate(String key, Entry e, long currentTime, long currentDuration) {
        return Tickers.nanosUntil(clock, e.keepUntil());
      }

      @Override
      public long expireAfterRead(String key, Entry e, long currentTime, long currentDuration) {
        return currentDuration;
      }
    };
    this.tickets = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(untilKeep)
        .maximumSize(maximumSize)
        // Every entry gone (removed, replaced, expired, evicted) lowers the count its key raised.
        .removalListener((String key, Entry e, RemovalCause cause) -> uncountTicketId(key))
        .build();
    this.users = Caffeine.newBuilder()
        .ticker(Tickers.of(clock))
        .expireAfter(untilKeep)
        .maximumSize(maximumSize)
        .removalListener((String key, Entry e, RemovalCause cause) -> {
          if (key != null) {
            userHandles.removed(key.hashCode());
          }
        })
        .build();
  }

  @Override
  public void revoke(String ticketId, Instant expiresAt) {
    int hash = ticketIdHash(ticketId);
    if (hash != NOT_A_TICKET_ID) {
      ticketIds.adding(hash);
    }
    tickets.put(ticketId, new Entry(expiresAt, expiresAt));
  }

  private void uncountTicketId(String key) {
    int hash = key == null ? NOT_A_TICKET_ID : ticketIdHash(key);
    if (hash != NOT_A_TICKET_ID) {
      ticketIds.removed(hash);
    }
  }

  /**
   * The {@link AuthTicket#hashCode()} of the ticket whose {@link AuthTicket#ticketIdHex()} is {@code key} (the hash
   * of its id's bytes), or {@link #NOT_A_TICKET_ID} when {@code key} is not 32 lower-case hex digits, which no
   * ticket's key is.
   */
  static int ticketIdHash(String key) {
    if (key.length() != 2 * AuthTicket.ID_LENGTH) {
      return NOT_A_TICKET_ID;
    }
    int hash = 1;
    for (int i = 0; i < key.length(); i += 2) {
      int high = lowerHexDigit(key.charAt(i));
      int low = lowerHexDigit(key.charAt(i + 1));
      if (high < 0 || low < 0) {
        return NOT_A_TICKET_ID;
      }
      hash = 31 * hash + (byte) (high << 4 | low);
    }
    return counted(hash);
  }

  /** A ticket's hash as counted: one that happens to be the marker counts as 1, on both sides. */
  private static int counted(int ticketHash) {
    return ticketHash == NOT_A_TICKET_ID ? 1 : ticketHash;
  }

  private static int lowerHexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  @Override
  public void revokeAllIssuedBefore(String userHandle, Instant cutOff, Instant keepUntil) {
    userHandles.adding(userHandle.hashCode());
    users
        .asMap()
        .merge(
            userHandle,
            new Entry(cutOff, keepUntil),
            (old, neu) -> new Entry(
                old.value().isAfter(neu.value()) ? old.value() : neu.value(),
                old.keepUntil().isAfter(neu.keepUntil()) ? old.keepUntil() : neu.keepUntil()));
  }

  @Override
  public boolean isRevoked(String ticketId, String userHandle, Instant issuedAt) {
    if (tickets.getIfPresent(ticketId) != null) {
      return true;
    }
    Entry cut = users.getIfPresent(userHandle);
    return cut != null && !issuedAt.isAfter(cut.value());
  }

  @Override
  public boolean isRevoked(AuthTicket ticket) {
    if (ticketIds.mayHold(counted(ticket.hashCode()))
        && tickets.getIfPresent(ticket.ticketIdHex()) != null) {
      return true;
    }
    String user = ticket.userHandle();
    if (!userHandles.mayHold(user.hashCode())) {
      return false;
    }
    Entry cut = users.getIfPresent(user);
    return cut != null && !ticket.authTime().isAfter(cut.value());
  }
}
