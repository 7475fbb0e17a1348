package dev.portcullis.login;

import dev.portcullis.crypto.KeyMaterial;
import dev.portcullis.crypto.KeyRing;
import dev.portcullis.crypto.KeyRingSource;
import dev.portcullis.crypto.SecretAccess;
import dev.portcullis.revocation.StoreUnavailableException;
import dev.portcullis.transport.IpAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The login limit (ASVS 2.2.1): at most 100 password checks per account and 1,000 per client address (an IPv6
 * address counted by its /64, like the known addresses below) in any hour by default, whatever their outcome, and a
 * budget of its own for each address the account's owner has logged in from.
 *
 * <p><b>Policy.</b>
 * <ul>
 *   <li>Every attempt {@linkplain #reserve reserves} a slot in its account budget and in its address budget
 *       <em>before</em> the password is checked, atomically in the {@link LoginAttemptStore}; when either budget is
 *       full the attempt is refused without a password check, even with the right password. So however many attempts
 *       arrive at once, no more password checks run than the limits allow.
 *   <li>A wrong password (or an unknown username) keeps its slots until they leave the sliding window.
 *   <li>The right password gives its slots back: only failures count against a limit, and a success does not wipe
 *       out earlier failures (that would hand a guesser a fresh budget each time the owner logs in).
 *   <li>An address from which the right password for the account was given (for an account that may use the portal)
 *       becomes a <em>known address</em> of that account for {@linkplain Builder#knownAddressFor 30 days} from its
 *       latest login. Attempts from a known address use a budget of that address and account, of the same size as
 *       the account budget, instead of the account budget. Wrong passwords from elsewhere therefore cannot lock the
 *       owner out at a place they have logged in from before; a place they have never logged in from shares the
 *       account budget with everyone else and waits out the window like them.
 *   <li>The address budget applies to every attempt from that address, to whichever account.
 *   <li>An account is counted by its name as any user directory might match it ({@link #accountKey}): letter case,
 *       width, white space, accents and invisible characters are ignored, so that every spelling of a name that finds
 *       the same account draws on the same budget (and on the same known addresses).
 * </ul>
 *
 * <p><b>Security.</b> Known addresses are kept on the server only, in the store, as an HMAC-SHA256 of the account and
 * address under a key that never leaves the throttle; no cookie is involved. Account and address budgets are keyed
 * the same way, so the store holds no username and no client address. A guesser gets at most the account budget
 * from unknown places plus, for each known address, its budget, which only someone at that address can use. Behind a
 * shared address (a NAT, an office proxy) everyone there shares its known-address budget. If the store cannot answer,
 * the attempt is refused ({@link LoginResult.Reason#UNAVAILABLE}) without a password check. Memory is bounded by the
 * store ({@link LoginAttemptStore#inMemory(InstantSource, long)}).
 */
public final class LoginThrottle {
  /** The bound of the default in-memory store when {@link Builder#maxTracked} is not given: 100,000. */
  public static final long DEFAULT_MAX_TRACKED = 100_000;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final int maxPerAccount;
  private final int maxPerAddress;
  private final Duration window;
  private final Duration knownAddressFor;
  private final LoginAttemptStore store;
  /** The bound of the in-memory store the budgets are kept in; empty for a store given to the builder. */
  private final OptionalLong maxTracked;

  private final SecureRandom random;
  /** The fixed hash key, or null when it follows {@link #hashKeyRing}. */
  private final SecretKeySpec hashKey;
  /** The ring whose active key the hash key is derived from, or null for a fixed key. */
  private final KeyRingSource hashKeyRing;
  /** The hash key derived from the last ring seen; replaced when the source gives another ring. */
  private volatile DerivedKey derived;

  private record DerivedKey(KeyRing ring, SecretKeySpec key) {}

  private LoginThrottle(Builder b, LoginAttemptStore store, byte[] hashKey) {
    this.maxPerAccount = b.maxPerAccount;
    this.maxTracked = b.inMemoryBound();
    this.maxPerAddress = b.maxPerAddress;
    this.window = b.window;
    this.knownAddressFor = b.knownAddressFor;
    this.store = store;
    this.random = b.random;
    this.hashKeyRing = b.hashKeyRing;
    this.hashKey = hashKey == null ? null : new SecretKeySpec(hashKey, "HmacSHA256");
  }

  /** The label that separates the hash key derived from a key ring from the ring's other uses. */
  private static final byte[] HASH_KEY_LABEL =
      "portcullis login-attempt store hash key v1".getBytes(StandardCharsets.UTF_8);

  /**
   * The hash key derived from {@code ring}'s active key: HMAC-SHA256 of a fixed label under it, the same on every node
   * with the same active key.
   */
  public static KeyMaterial hashKeyOf(KeyRing ring) {
    byte[] key = ring.material(ring.activeKey().id(), SecretAccess.insecure())
        .toByteArray(SecretAccess.insecure());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] derivedKey = mac.doFinal(HASH_KEY_LABEL);
      try {
        return KeyMaterial.copyOf(derivedKey);
      } finally {
        Arrays.fill(derivedKey, (byte) 0);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The key the store's keys are hashed with now: the fixed one, or the one of the ring's current active key. */
  private SecretKeySpec currentHashKey() {
    if (hashKeyRing == null) {
      return hashKey;
    }
    KeyRing ring = hashKeyRing.current();
    DerivedKey d = derived;
    if (d == null || d.ring() != ring) {
      byte[] bytes = hashKeyOf(ring).toByteArray(SecretAccess.insecure());
      try {
        d = new DerivedKey(ring, new SecretKeySpec(bytes, "HmacSHA256"));
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
      derived = d;
    }
    return d.key();
  }

  public static Builder builder(InstantSource clock) {
    return new Builder(clock);
  }

  /**
   * How many budgets, and as many known addresses, the throttle keeps at most: the {@linkplain Builder#maxTracked
   * bound} of the in-memory store it made (100,000 by default), or empty when it was given a {@linkplain
   * Builder#store store}, which bounds itself. Adapters read it back to show which bound a setting gave.
   */
  public OptionalLong maxTracked() {
    return maxTracked;
  }

  /** Whether the budgets are kept in a store that nodes share ({@link LoginAttemptStore#sharedBetweenNodes()}). */
  boolean sharedBetweenNodes() {
    return store.sharedBetweenNodes();
  }

  /**
   * Reserves this attempt's slots, before the password is checked. The caller then checks the password and settles
   * the attempt: nothing for a wrong password, {@link Attempt#release()} for a right one on an account that may not
   * log in (or when the check could not be made), {@link Attempt#succeeded()} for a login.
   *
   * @param username as typed; budgets count every spelling of it together ({@link #accountKey})
   * @param rawClientAddress the client's address after trusted proxies, or null when there is none; counted as
   *     {@link #clientOf} reads it
   * @return an admitted attempt, or a refused one ({@link Attempt#refusal()}) that holds no slot
   */
  Attempt reserve(String username, String rawClientAddress) {
    String account = accountKey(username);
    String clientAddress = clientOf(rawClientAddress);
    long id = random.nextLong();
    String knownKey = clientAddress == null || knownAddressFor.isZero()
        ? null
        : "k:" + hash("known", account, clientAddress);
    String accountBudget = null;
    String addressBudget = null;
    try {
      // The address first: an address past its limit must not make a budget for each new name it
      // tries (a store may keep a budget until its window ends, even with no slot taken).
      if (clientAddress != null) {
        addressBudget = "ip:" + hash("address", clientAddress, null);
        if (!store.reserve(addressBudget, id, maxPerAddress, window)) {
          return new Attempt(LoginResult.Reason.THROTTLED);
        }
      }
      accountBudget = knownKey != null && store.isKnownAddress(knownKey)
          ? "kb:" + hash("known-budget", account, clientAddress)
          : "a:" + hash("account", account, null);
      if (!store.reserve(accountBudget, id, maxPerAccount, window)) {
        if (addressBudget != null) {
          store.release(addressBudget, id);
        }
        return new Attempt(LoginResult.Reason.THROTTLED);
      }
      return new Attempt(id, accountBudget, addressBudget, knownKey);
    } catch (StoreUnavailableException e) {
      if (addressBudget != null) {
        releaseQuietly(addressBudget, id);
      }
      if (accountBudget != null) {
        releaseQuietly(accountBudget, id);
      }
      return new Attempt(LoginResult.Reason.UNAVAILABLE);
    }
  }

  /**
   * The account a username's budgets are kept under: one key for every spelling of the name that a user directory
   * may take for the same account, so that an account has one budget however its name is typed, whatever the
   * directory's matching. The name is decomposed by compatibility (NFKD: full-width and other width forms, ligatures
   * such as {@code ﬁ}, {@code ſ}, the Kelvin sign, precomposed accents); combining marks, format characters
   * (zero-width spaces and joiners, the soft hyphen, direction marks), controls, white space, the middle dot and
   * unassigned code points are removed; letter case is folded (lower, upper, then lower case with {@link
   * Locale#ROOT}, which also takes {@code ß} and {@code ẞ} to {@code ss} and {@code ı} to {@code i}); the result is
   * decomposed and cleaned once more, since case mappings can produce decomposable characters; katakana become
   * hiragana and small kana full-size ones; and the letters that collations take for a base letter with a mark, or
   * for two letters, become those ({@code ø} {@code o}, {@code ł} {@code l}, {@code đ} and {@code ð} {@code d},
   * {@code æ} {@code ae}, ...), as do a few numerals.
   *
   * <p>So {@code alice}, {@code ALICE}, {@code alice }, {@code ａｌｉｃｅ}, {@code alicé} and {@code alice} with a
   * zero-width space inside share one budget. This covers the matching of SQL Server's default collations (case-,
   * width- and kana-insensitive, trailing spaces ignored), PostgreSQL's {@code citext}, nondeterministic ICU
   * collations (accent-insensitive ones too), {@code char(n)} columns, {@code lower(trim(?))} and {@code ILIKE}
   * without wildcards; checked against PostgreSQL's case- and accent-insensitive ICU collations for the Latin,
   * Greek, Cyrillic and kana letters, digits and width forms. Not covered: matching that a table cannot foresee, such
   * as a collation that ignores punctuation, or one tailored to a language (Danish {@code aa} for {@code å}, German
   * phone-book {@code ae} for {@code ä}).
   *
   * <p><b>Security.</b> The key is meant to be coarser than a directory's matching, which can only make the limit
   * stricter: two different accounts whose names differ only in such ways (letter case, width, spaces, accents,
   * invisible characters) share their budgets, so that a guesser's wrong passwords for one count against the other as
   * well; that is accepted. Cost: about a microsecond for a usual name, once per login attempt.
   */
  static String accountKey(String username) {
    if (username == null) {
      return "";
    }
    String folded = withoutMarks(username, false)
        .toLowerCase(Locale.ROOT)
        .toUpperCase(Locale.ROOT)
        .toLowerCase(Locale.ROOT);
    return withoutMarks(folded, true);
  }

  /** {@code text} in NFKD without the code points no spelling is told apart by; {@link #FOLDED} too if asked. */
  private static String withoutMarks(String text, boolean fold) {
    String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
    StringBuilder key = new StringBuilder(decomposed.length());
    for (int i = 0; i < decomposed.length(); ) {
      int cp = decomposed.codePointAt(i);
      i += Character.charCount(cp);
      if (ignoredInNames(cp)) {
        continue;
      }
      if (fold && cp >= 0x30A1 && cp <= 0x30F6) {
        cp -= 0x60; // katakana to hiragana
      }
      String base = fold ? FOLDED.get(cp) : null;
      if (base == null) {
        key.appendCodePoint(cp);
      } else {
        key.append(base);
      }
    }
    return key.toString();
  }

  private static boolean ignoredInNames(int cp) {
    switch (Character.getType(cp)) {
      case Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK,
          Character.COMBINING_SPACING_MARK,
          Character.FORMAT,
          Character.CONTROL,
          Character.SPACE_SEPARATOR,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.UNASSIGNED:
        return true;
      default:
        // The Hangul fillers are letters that Unicode nonetheless lists as default-ignorable; the
        // middle dot
        // joins the Catalan l·l, whose ŀ collations take for l.
        return Character.isWhitespace(cp)
            || cp == 0x00B7
            || cp == 0x115F
            || cp == 0x1160
            || cp == 0x3164
            || cp == 0xFFA0;
    }
  }

  /**
   * Characters without a Unicode decomposition that collations compare equal to others: lower-case letters that
   * accent-insensitive ICU collations (PostgreSQL's among them) take for a base letter with a secondary difference,
   * like an accent, or for two letters; small kana, which differ from full-size ones by a tertiary difference only,
   * like letter case; a few numerals and symbols.
   */
  private static final Map<Integer, String> FOLDED = folded();

  private static Map<Integer, String> folded() {
    Map<Integer, String> folded = new HashMap<>(Map.ofEntries(
        Map.entry(0x3041, "\u3042"), // ぁ あ
        Map.entry(0x3043, "\u3044"), // ぃ い
        Map.entry(0x3045, "\u3046"), // ぅ う
        Map.entry(0x3047, "\u3048"), // ぇ え
        Map.entry(0x3049, "\u304A"), // ぉ お
        Map.entry(0x3063, "\u3064"), // っ つ
        Map.entry(0x3083, "\u3084"), // ゃ や
        Map.entry(0x3085, "\u3086"), // ゅ ゆ
        Map.entry(0x3087, "\u3088"), // ょ よ
        Map.entry(0x308E, "\u308F"), // ゎ わ
        Map.entry(0x3095, "\u304B"), // ゕ か
        Map.entry(0x3096, "\u3051"), // ゖ け
        Map.entry(0x00E6, "ae"), // æ
        Map.entry(0x00F0, "d"), // ð
        Map.entry(0x00F8, "o"), // ø
        Map.entry(0x0111, "d"), // đ
        Map.entry(0x0127, "h"), // ħ
        Map.entry(0x0142, "l"), // ł
        Map.entry(0x0153, "oe"), // œ
        Map.entry(0x018D, "zw"), // ƍ
        Map.entry(0x01BE, "ts"), // ƾ
        Map.entry(0x0238, "db"), // ȸ
        Map.entry(0x0239, "qp"), // ȹ
        Map.entry(0x02A3, "dz"), // ʣ
        Map.entry(0x02A6, "ts"), // ʦ
        Map.entry(0x02AA, "ls"), // ʪ
        Map.entry(0x02AB, "lz"), // ʫ
        Map.entry(0x0491, "\u0433"), // ґ, г
        Map.entry(0x1D79, "g"), // ᵹ
        Map.entry(0x1D7A, "th"), // ᵺ
        Map.entry(0x1EFB, "ll"), // ỻ
        Map.entry(0xA729, "tz"), // ꜩ
        Map.entry(0xA733, "aa"), // ꜳ
        Map.entry(0xA735, "ao"), // ꜵ
        Map.entry(0xA737, "au"), // ꜷ
        Map.entry(0xA739, "av"), // ꜹ
        Map.entry(0xA73B, "av"), // ꜻ
        Map.entry(0xA73D, "ay"), // ꜽ
        Map.entry(0xA74F, "oo"), // ꝏ
        Map.entry(0xA75B, "r"), // ꝛ
        Map.entry(0xA761, "vy"), // ꝡ
        Map.entry(0xA77A, "d"), // ꝺ
        Map.entry(0xA77C, "f"), // ꝼ
        Map.entry(0xA783, "r"), // ꞃ
        Map.entry(0xA785, "s"), // ꞅ
        Map.entry(0xA787, "t"), // ꞇ
        Map.entry(0xA79B, "a"), // ꞛ
        Map.entry(0xA79D, "o"), // ꞝ
        Map.entry(0xA79F, "u"), // ꞟ
        Map.entry(0xA7A1, "g"), // ꞡ
        Map.entry(0xA7A3, "k"), // ꞣ
        Map.entry(0xA7A5, "n"), // ꞥ
        Map.entry(0xA7A7, "r"), // ꞧ
        Map.entry(0xA7A9, "s"), // ꞩ
        Map.entry(0xA7C3, "w"), // ꟃ
        Map.entry(0x31F0, "\u304F"), // ㇰ く
        Map.entry(0x31F1, "\u3057"), // ㇱ し
        Map.entry(0x31F2, "\u3059"), // ㇲ す
        Map.entry(0x31F3, "\u3068"), // ㇳ と
        Map.entry(0x31F4, "\u306C"), // ㇴ ぬ
        Map.entry(0x31F5, "\u306F"), // ㇵ は
        Map.entry(0x31F6, "\u3072"), // ㇶ ひ
        Map.entry(0x31F7, "\u3075"), // ㇷ ふ
        Map.entry(0x31F8, "\u3078"), // ㇸ へ
        Map.entry(0x31F9, "\u307B"), // ㇹ ほ
        Map.entry(0x31FA, "\u3080"), // ㇺ む
        Map.entry(0x31FB, "\u3089"), // ㇻ ら
        Map.entry(0x31FC, "\u308A"), // ㇼ り
        Map.entry(0x31FD, "\u308B"), // ㇽ る
        Map.entry(0x31FE, "\u308C"), // ㇾ れ
        Map.entry(0x31FF, "\u308D"), // ㇿ ろ
        Map.entry(0x3032, "\u3031"), // 〲 〱
        Map.entry(0x3034, "\u3033"), // 〴 〳
        Map.entry(0x1D08, "\u025C"), // ᴈ ɜ
        Map.entry(0x1D4E, "\u1D09"), // ᵎ ᴉ
        Map.entry(0x214D, "a/s"), // ⅍
        Map.entry(0x2185, "6"), // ↅ
        Map.entry(0x24FF, "0"), // ⓿
        Map.entry(0x3007, "0"))); // 〇
    for (int n = 1; n <= 10; n++) {
      folded.put(0x24F4 + n, Integer.toString(n)); // double circled digits and ten
    }
    for (int n = 11; n <= 20; n++) {
      folded.put(0x24EB + n - 11, Integer.toString(n)); // negative circled numbers
    }
    for (int n = 1; n <= 9; n++) {
      folded.put(0x3020 + n, Integer.toString(n)); // Hangzhou numerals
    }
    return Map.copyOf(folded);
  }

  private void releaseQuietly(String key, long id) {
    try {
      store.release(key, id);
    } catch (StoreUnavailableException e) {
      // The slot stays taken until it leaves the window: the limit errs on the safe side.
    }
  }

  /**
   * The client an address stands for, as budgets and known addresses count it: an IPv4 address alone, an IPv6 address
   * by its /64 ({@link IpAddress#clientPrefix}), other text as given; null for none.
   */
  static String clientOf(String clientAddress) {
    if (clientAddress == null) {
      return null;
    }
    IpAddress address = IpAddress.parse(clientAddress).orElse(null);
    if (address == null) {
      return clientAddress;
    }
    return address.isIpv4()
        ? address.toString()
        : HexFormat.of().formatHex(address.clientPrefix()) + "/64";
  }

  /** HMAC-SHA256 of the purpose and the length-prefixed values, so that no two inputs give the same message. */
  private String hash(String purpose, String first, String second) {
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(currentHashKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
    mac.update(purpose.getBytes(StandardCharsets.US_ASCII));
    for (String value : second == null ? new String[] {first} : new String[] {first, second}) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      mac.update((byte) 0);
      mac.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) ':');
      mac.update(bytes);
    }
    return B64.encodeToString(mac.doFinal());
  }

  /** One login attempt's place in the limit: admitted with its slots, or refused with none. */
  final class Attempt {
    private final LoginResult.Reason refusal;
    private final long id;
    private final String accountBudget;
    private final String addressBudget;
    private final String knownKey;
    private boolean settled;

    private Attempt(LoginResult.Reason refusal) {
      this.refusal = refusal;
      this.id = 0;
      this.accountBudget = null;
      this.addressBudget = null;
      this.knownKey = null;
      this.settled = true;
    }

    private Attempt(long id, String accountBudget, String addressBudget, String knownKey) {
      this.refusal = null;
      this.id = id;
      this.accountBudget = accountBudget;
      this.addressBudget = addressBudget;
      this.knownKey = knownKey;
    }

    /** Whether the password may be checked. */
    public boolean admitted() {
      return refusal == null;
    }

    /** Why the attempt was refused ({@code THROTTLED} or {@code UNAVAILABLE}), or null when it was admitted. */
    public LoginResult.Reason refusal() {
      return refusal;
    }

    /**
     * The password was right but the account may not log in, or the password could not be checked: the slots go
     * back. Once per attempt; later calls do nothing.
     */
    public synchronized void release() {
      if (settled) {
        return;
      }
      settled = true;
      releaseQuietly(accountBudget, id);
      if (addressBudget != null) {
        releaseQuietly(addressBudget, id);
      }
    }

    /**
     * The right password for an account that may log in: the slots go back and the address becomes (or stays) a
     * known address of the account. A store that cannot answer now leaves the slots taken and the address as it was.
     */
    public synchronized void succeeded() {
      boolean first = !settled;
      release();
      if (first && knownKey != null) {
        try {
          store.rememberAddress(knownKey, knownAddressFor);
        } catch (StoreUnavailableException e) {
          // Not remembered this time; the next login from here tries again.
        }
      }
    }
  }

  public static final class Builder {
    private final InstantSource clock;
    private int maxPerAccount = 100;
    private int maxPerAddress = 1_000;
    private Duration window = Duration.ofHours(1);
    private Duration knownAddressFor = Duration.ofDays(30);
    private Long maxTracked;
    private LoginAttemptStore store;
    private SecureRandom random;
    private KeyMaterial hashKey;
    private KeyRingSource hashKeyRing;

    private Builder(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Password checks per account (or per known address of it) in the window: 1..100, default 100. */
    public Builder maxFailuresPerAccount(int n) {
      this.maxPerAccount = n;
      return this;
    }

    /** Password checks per client address in the window; default 1,000. */
    public Builder maxFailuresPerAddress(int n) {
      this.maxPerAddress = n;
      return this;
    }

    /** The sliding window; default one hour. */
    public Builder window(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * How long an address stays known after a login from it; default 30 days, at most 400. Zero turns known
     * addresses off: every attempt then uses the account budget.
     */
    public Builder knownAddressFor(Duration knownAddressFor) {
      this.knownAddressFor = Objects.requireNonNull(knownAddressFor, "knownAddressFor");
      return this;
    }

    /**
     * The bound of the default in-memory store: at most {@code n} budgets and {@code n} known addresses, the least
     * used forgotten first beyond that; at least 1, default 100,000 each. Refused beside a {@link #store}, which
     * bounds itself. Read back with {@link LoginThrottle#maxTracked()}.
     *
     * <p><b>Security.</b> Too small a bound lets a guesser who sprays addresses or names push budgets, its own among
     * them, out of the table and start afresh; each entry costs memory, so too large a bound costs the node memory.
     */
    public Builder maxTracked(long n) {
      this.maxTracked = n;
      return this;
    }

    /** Required: attempt ids, and the hash key of the default in-memory store. */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Where the budgets and known addresses are kept; default {@link LoginAttemptStore#inMemory(InstantSource)
     * in memory}, one node. A store of your own needs a {@link #hashKey}.
     */
    public Builder store(LoginAttemptStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The key of the hashes the store is keyed by: required with a {@link #store} (or {@link #hashKeyFrom}), and the same on every node that
     * shares it (a secret, like the key ring: from the environment or a key file, never in code). Without a store,
     * the default in-memory one gets a fresh random key.
     */
    public Builder hashKey(KeyMaterial hashKey) {
      this.hashKey = Objects.requireNonNull(hashKey, "hashKey");
      return this;
    }

    /**
     * Derives the hash key from {@code ring}'s active key ({@link #hashKeyOf}), following the ring: once a reload
     * promotes another key, the next attempt is hashed under the key derived from it, on every node, so that nodes
     * started before and after the promotion share one limit. Budgets and known addresses recorded under the old key
     * are not found any more (they leave the store with their window); a promotion is rare, and a retired or revoked
     * key then no longer keys the store. Instead of {@link #hashKey}.
     */
    public Builder hashKeyFrom(KeyRingSource ring) {
      this.hashKeyRing = Objects.requireNonNull(ring, "ring");
      return this;
    }

    /** The bound of the in-memory store the throttle makes ({@link #maxTracked} or the default); empty with a store. */
    private OptionalLong inMemoryBound() {
      return store != null
          ? OptionalLong.empty()
          : OptionalLong.of(maxTracked != null ? maxTracked : DEFAULT_MAX_TRACKED);
    }

    public LoginThrottle build() {
      if (maxPerAccount < 1 || maxPerAccount > 100) {
        throw new IllegalStateException(
            "failures per account must be 1..100 (ASVS 2.2.1), got " + maxPerAccount);
      }
      if (maxPerAddress < 1) {
        throw new IllegalStateException("failures per address must be positive");
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalStateException("the throttle window must be positive");
      }
      if (knownAddressFor.isNegative() || knownAddressFor.compareTo(Duration.ofDays(400)) > 0) {
        throw new IllegalStateException(
            "an address can be known for 0 to 400 days, got " + knownAddressFor);
      }
      if (random == null) {
        throw new IllegalStateException(
            "a SecureRandom is required (random(...)): attempt ids and hash keys");
      }
      if (hashKey != null && hashKeyRing != null) {
        throw new IllegalStateException("give a hashKey(...) or hashKeyFrom(...), not both");
      }
      if (store != null && hashKey == null && hashKeyRing == null) {
        throw new IllegalStateException(
            "a login-attempt store needs a hashKey(...) or hashKeyFrom(...), the same on every node that"
                + " shares it, so that the store holds no usernames or addresses");
      }
      if (store != null && maxTracked != null) {
        throw new IllegalStateException(
            "maxTracked bounds the default in-memory store; bound the given store" + " itself");
      }
      if (maxTracked != null && maxTracked < 1) {
        throw new IllegalStateException("maxTracked must be positive");
      }
      LoginAttemptStore s = store != null
          ? store
          : LoginAttemptStore.inMemory(clock, inMemoryBound().getAsLong());
      if (hashKeyRing != null) {
        return new LoginThrottle(this, s, null);
      }
      byte[] key = hashKey != null ? hashKey.toByteArray(SecretAccess.insecure()) : new byte[32];
      if (hashKey == null) {
        random.nextBytes(key);
      }
      return new LoginThrottle(this, s, key);
    }
  }
}
