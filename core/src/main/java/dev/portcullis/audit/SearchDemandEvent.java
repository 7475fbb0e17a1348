package dev.portcullis.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One search, as the anonymous service-demand log keeps it: normalised terms, how many results, which search
 * endpoint, and the start of a coarse time bucket. There is no field for a user, an organisation, a session, a request
 * id or an address, by design: the type cannot carry them, so no sink can write them.
 *
 * <p>Make one with {@link AuditLog#searched(String, String, int)}, or with {@link #of(String, int, String, Instant,
 * Duration)}. The canonical constructor accepts only values those would produce: terms already normalised, a bucket
 * start on a bucket boundary.
 *
 * <p><b>Security.</b> What a user typed is normalised and obvious identifiers (e-mail addresses, phone, National
 * Insurance and other long numbers, full postcodes) are replaced by markers before the event exists; the rules are
 * on {@link #of}. Names and free text are kept: anonymity rests on the missing link to a person and on the coarse
 * time, not on the terms being harmless. The time is truncated before it is stored, so not even the sink sees the
 * exact moment.
 *
 * @param terms normalised search terms; may be empty
 * @param resultCount how many results the search returned, zero or more
 * @param endpoint which search, a short name or path such as {@code /providers/search}
 * @param bucketStart the start of the time bucket the search fell in, UTC
 * @param bucket the bucket length: whole seconds, from one minute to one day, dividing a day evenly
 */
public record SearchDemandEvent(
    String terms, int resultCount, String endpoint, Instant bucketStart, Duration bucket) {
  /** One hour: the default bucket. */
  public static final Duration DEFAULT_BUCKET = Duration.ofHours(1);

  private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9/_.-]{1,100}");
  private static final long SECONDS_PER_DAY = 86_400;

  /**
   * Checks that the values are what {@link #of} would make.
   *
   * @throws IllegalArgumentException if the terms are not normalised, the count is negative, the endpoint is not a
   *     short name or path ({@code [A-Za-z0-9/_.-]}, no query string), the bucket is not allowed or the start is not
   *     on a bucket boundary
   */
  public SearchDemandEvent {
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(bucketStart, "bucketStart");
    checkBucket(bucket);
    if (!terms.equals(SearchTerms.normalise(terms))) {
      throw new IllegalArgumentException("terms are not normalised: use SearchDemandEvent.of");
    }
    if (resultCount < 0) {
      throw new IllegalArgumentException("result count must not be negative");
    }
    if (!ENDPOINT.matcher(endpoint).matches()) {
      throw new IllegalArgumentException("endpoint must be 1-100 of [A-Za-z0-9/_.-]");
    }
    if (bucketStart.getNano() != 0 || Math.floorMod(bucketStart.getEpochSecond(), bucket.getSeconds()) != 0) {
      throw new IllegalArgumentException("bucket start must be on a bucket boundary");
    }
  }

  /**
   * A demand event from a raw query.
   *
   * <p>The query is normalised: NFKC, lower case ({@link java.util.Locale#ROOT}), punctuation other than {@code
   * @.-'&+} removed, whitespace collapsed and trimmed, and these replaced by markers: tokens containing {@code @}
   * ({@code [email]}), UK National Insurance numbers ({@code [ni-number]}), full UK postcodes ({@code [postcode]}),
   * runs of 10-15 digits starting with {@code +} or {@code 0} ({@code [phone]}), and other runs of six or more
   * digits, spaces and separators allowed between them ({@code [number]}). Then it is cut to 100 characters at a
   * token boundary. Names are not redacted (see the class comment).
   *
   * @param rawQuery what the user typed; null counts as empty
   * @param time when the search happened; only the bucket it falls in is kept
   * @param bucket the bucket length (see {@link #bucket()})
   */
  public static SearchDemandEvent of(String rawQuery, int resultCount, String endpoint, Instant time, Duration bucket) {
    checkBucket(bucket);
    long seconds = bucket.getSeconds();
    Instant start = Instant.ofEpochSecond(time.getEpochSecond() - Math.floorMod(time.getEpochSecond(), seconds));
    return new SearchDemandEvent(SearchTerms.normalise(rawQuery), resultCount, endpoint, start, bucket);
  }

  static void checkBucket(Duration bucket) {
    Objects.requireNonNull(bucket, "bucket");
    if (bucket.getNano() != 0
        || bucket.getSeconds() < 60
        || bucket.getSeconds() > SECONDS_PER_DAY
        || SECONDS_PER_DAY % bucket.getSeconds() != 0) {
      throw new IllegalArgumentException(
          "bucket must be whole seconds from one minute to one day and divide a day evenly: " + bucket);
    }
  }

  /** The event as one JSON line, as the file sink writes it. */
  @Override
  public String toString() {
    return EventFormat.json(this);
  }
}
