package dev.portcullis.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counts between {@link AuditLog#searched} and the demand sinks: searches per time bucket, endpoint and terms,
 * handed out as {@link SearchDemandEvent} records only once their bucket has closed by the injected clock, or all
 * at once when the log closes. Nothing about a single search (its moment, its order among others, its result count)
 * leaves this class: a bucket's records come out together, sorted by endpoint and terms.
 *
 * <p>Memory is bounded: at most {@code maxTerms} distinct (endpoint, terms) pairs are held at once; a search with new
 * terms beyond that is counted in its endpoint's {@link SearchDemandEvent#OTHER_TERMS} record (in the earliest open
 * bucket if its own is not open yet), so at most {@code maxTerms} buckets are open and the bound is {@code maxTerms}
 * plus one "other" record per endpoint and open bucket. A search whose bucket has already been handed out (the clock
 * stepped back) is counted in the first bucket that has not.
 *
 * <p>Thread-safe: request threads count, the audit dispatcher takes records.
 */
final class SearchDemandTally {
  private final Duration bucket;
  private final int maxTerms;
  private final int minimumCount;
  private final TreeMap<Instant, Map<Key, Counts>> open = new TreeMap<>();
  /** Every bucket that starts before this has been handed out. */
  private Instant handedOutUpTo = Instant.MIN;

  private int held;

  SearchDemandTally(Duration bucket, int maxTerms, int minimumCount) {
    this.bucket = bucket;
    this.maxTerms = maxTerms;
    this.minimumCount = minimumCount;
  }

  /** Counts one search made at {@code now}; {@code terms} are already normalised. */
  synchronized void add(Instant now, String endpoint, String terms, boolean found) {
    Instant start = SearchDemandEvent.bucketStart(now, bucket);
    if (start.isBefore(handedOutUpTo)) {
      start = handedOutUpTo;
    }
    Map<Key, Counts> counts = open.get(start);
    if (counts == null && held >= maxTerms) {
      // Full: no new bucket either (a clock jumping about could otherwise open one per search).
      start = open.firstKey();
      counts = open.get(start);
    } else if (counts == null) {
      counts = new HashMap<>();
      open.put(start, counts);
    }
    Key key = new Key(endpoint, terms);
    Counts c = counts.get(key);
    if (c == null && held >= maxTerms) {
      key = new Key(endpoint, SearchDemandEvent.OTHER_TERMS);
      c = counts.get(key);
    }
    if (c == null) {
      c = new Counts();
      counts.put(key, c);
      held++;
    }
    c.searches++;
    if (!found) {
      c.withoutResults++;
    }
  }

  /** When the earliest open bucket closes, or null if no search is being counted. */
  synchronized Instant nextClose() {
    return open.isEmpty() ? null : open.firstKey().plus(bucket);
  }

  /** Removes and returns the records of every bucket that has closed by {@code now}, oldest bucket first. */
  synchronized List<SearchDemandEvent> takeClosed(Instant now) {
    List<SearchDemandEvent> out = new ArrayList<>();
    while (!open.isEmpty() && !open.firstKey().plus(bucket).isAfter(now)) {
      takeFirst(out);
    }
    return out;
  }

  /** Removes and returns the records of every bucket, closed or not: for shutdown. */
  synchronized List<SearchDemandEvent> takeAll() {
    List<SearchDemandEvent> out = new ArrayList<>();
    while (!open.isEmpty()) {
      takeFirst(out);
    }
    return out;
  }

  private void takeFirst(List<SearchDemandEvent> out) {
    Map.Entry<Instant, Map<Key, Counts>> first = open.pollFirstEntry();
    Instant start = first.getKey();
    held -= first.getValue().size();
    handedOutUpTo = start.plus(bucket);
    // Sorted by endpoint and terms: the order says nothing about when or in which order the
    // searches came.
    TreeMap<Key, Counts> sorted = new TreeMap<>();
    for (Map.Entry<Key, Counts> e : first.getValue().entrySet()) {
      Key key = e.getKey();
      if (e.getValue().searches < minimumCount) {
        key = new Key(key.endpoint(), SearchDemandEvent.OTHER_TERMS);
      }
      sorted.computeIfAbsent(key, k -> new Counts()).add(e.getValue());
    }
    for (Map.Entry<Key, Counts> e : sorted.entrySet()) {
      Counts c = e.getValue();
      out.add(new SearchDemandEvent(
          e.getKey().terms(), c.searches, c.withoutResults, e.getKey().endpoint(), start, bucket));
    }
  }

  private record Key(String endpoint, String terms) implements Comparable<Key> {
    @Override
    public int compareTo(Key other) {
      int byEndpoint = endpoint.compareTo(other.endpoint);
      return byEndpoint != 0 ? byEndpoint : terms.compareTo(other.terms);
    }
  }

  private static final class Counts {
    long searches;
    long withoutResults;

    void add(Counts other) {
      searches += other.searches;
      withoutResults += other.withoutResults;
    }
  }
}
