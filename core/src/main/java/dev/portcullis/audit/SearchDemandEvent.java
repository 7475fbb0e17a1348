package dev.portcullis.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One line of the anonymous service-demand log: how many times these normalised terms were searched at one search
 * endpoint during one time bucket, and how many of those searches found nothing. There is no field for a user, an
 * organisation, a session, a request id, an address or a time finer than the bucket, by design: the type cannot
 * carry them, so no sink can write them.
 *
 * <p>{@link AuditLog#searched(String, String, int)} counts searches and publishes these records to the
 * {@link SearchDemandSink}s only when the bucket has closed (or the log closes), all records of a bucket together,
 * sorted by endpoint and terms. Searches beyond the log's cap on distinct terms, and terms searched fewer times than
 * its minimum count, are counted in a record whose terms are {@value #OTHER_TERMS}.
 *
 * <p><b>Security.</b> What a user typed is normalised and identifiers (e-mail, IP and IPv6 addresses, phone, National
 * Insurance and other long numbers, full postcodes, user handles, pasted tokens and session ids) are replaced by
 * markers before it is counted; the rules are on {@link AuditLog#searched}. Names and free text are kept: anonymity
 * rests on the missing link to a person, on the hourly counts and on publication after the hour, not on the terms
 * being harmless. A record with {@code searches == 1} in a quiet hour still says that one person searched for those
 * terms in that hour; raise {@link AuditLog.Builder#demandMinimumCount(int)} where that matters.
 *
 * @param terms normalised search terms (may be empty), or {@value #OTHER_TERMS}
 * @param searches how many searches, one or more
 * @param withoutResults how many of them found nothing, from zero to {@code searches}
 * @param endpoint which search, a short name or path such as {@code /providers/search}
 * @param bucketStart the start of the time bucket, UTC
 * @param bucket the bucket length: whole seconds, from one minute to one day, dividing a day evenly
 */
public record SearchDemandEvent(
    String terms,
    long searches,
    long withoutResults,
    String endpoint,
    Instant bucketStart,
    Duration bucket) {
  /** One hour: the default bucket. */
  public static final Duration DEFAULT_BUCKET = Duration.ofHours(1);

  /**
   * The terms of the record that counts searches not listed on their own: beyond the cap on distinct terms, below
   * the minimum count, or with a query too long to read (more than 400 characters). No query normalises to it.
   */
  public static final String OTHER_TERMS = "[other]";

  private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9/_.-]{1,100}");
  private static final long SECONDS_PER_DAY = 86_400;

  /**
   * Checks that the values are what {@link AuditLog} would publish.
   *
   * @throws IllegalArgumentException if the terms are not normalised, the counts are out of range, the endpoint is
   *     not a short name or path ({@code [A-Za-z0-9/_.-]}, no query string), the bucket is not allowed or the start
   *     is not on a bucket boundary
   */
  public SearchDemandEvent {
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(bucketStart, "bucketStart");
    checkEndpoint(endpoint);
    checkBucket(bucket);
    if (!terms.equals(OTHER_TERMS) && !terms.equals(SearchTerms.normalise(terms))) {
      throw new IllegalArgumentException(
          "terms are not normalised: record searches with AuditLog.searched");
    }
    if (searches < 1 || withoutResults < 0 || withoutResults > searches) {
      throw new IllegalArgumentException(
          "searches must be at least 1 and withoutResults from 0 to searches");
    }
    if (bucketStart.getNano() != 0
        || Math.floorMod(bucketStart.getEpochSecond(), bucket.getSeconds()) != 0) {
      throw new IllegalArgumentException("bucket start must be on a bucket boundary");
    }
  }

  /** The end of the bucket: the first instant after it. */
  public Instant bucketEnd() {
    return bucketStart.plus(bucket);
  }

  static void checkEndpoint(String endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (!ENDPOINT.matcher(endpoint).matches()) {
      throw new IllegalArgumentException("endpoint must be 1-100 of [A-Za-z0-9/_.-]");
    }
  }

  static void checkBucket(Duration bucket) {
    Objects.requireNonNull(bucket, "bucket");
    if (bucket.getNano() != 0
        || bucket.getSeconds() < 60
        || bucket.getSeconds() > SECONDS_PER_DAY
        || SECONDS_PER_DAY % bucket.getSeconds() != 0) {
      throw new IllegalArgumentException(
          "bucket must be whole seconds from one minute to one day and divide a day evenly: "
              + bucket);
    }
  }

  /** The start of the bucket of length {@code bucket} that {@code time} falls in. */
  static Instant bucketStart(Instant time, Duration bucket) {
    long seconds = bucket.getSeconds();
    return Instant.ofEpochSecond(
        time.getEpochSecond() - Math.floorMod(time.getEpochSecond(), seconds));
  }

  /** The record as one JSON line, as the file sink writes it. */
  @Override
  public String toString() {
    return EventFormat.json(this);
  }
}
