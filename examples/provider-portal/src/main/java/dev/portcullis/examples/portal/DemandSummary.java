package dev.portcullis.examples.portal;

import dev.portcullis.audit.SearchDemandEvent;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Search-demand records added up for the service-demand page: searches per day, and per ISO week (Monday to Sunday)
 * the terms with their counts. Days and weeks are UTC, as the records' buckets are. Records of every endpoint count
 * together. Nothing here can hold more than the records do: terms and counts.
 */
final class DemandSummary {
  /** One day's searches. */
  record Day(LocalDate date, long searches) {}

  /** The searches for one set of terms within a week, and how many of them found nothing. */
  record TermCount(String terms, long searches, long withoutResults) {
    /** Whether this row counts the searches too rare, or too many, to be listed on their own. */
    boolean isOther() {
      return terms.equals(SearchDemandEvent.OTHER_TERMS);
    }
  }

  /**
   * One ISO week.
   *
   * @param monday its first day
   * @param searches every search of the week
   * @param terms the most searched terms, most searches first (ties in order of the terms)
   * @param distinctTerms how many different terms the week has, listed or not
   */
  record Week(LocalDate monday, long searches, List<TermCount> terms, int distinctTerms) {
    /** The ISO week's name, such as {@code 2026-W49}. */
    String label() {
      return String.format(
          Locale.ROOT,
          "%d-W%02d",
          monday.get(IsoFields.WEEK_BASED_YEAR),
          monday.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    LocalDate sunday() {
      return monday.plusDays(6);
    }
  }

  private static final Comparator<TermCount> MOST_SEARCHED =
      Comparator.comparingLong(TermCount::searches).reversed().thenComparing(TermCount::terms);

  /**
   * The most distinct terms held for one week; the searches for further terms are added to the week's {@link
   * SearchDemandEvent#OTHER_TERMS} row. Visitors' searches can fill the demand log with up to its cap on distinct
   * terms (10,000) every hour, so without this a week could hold over a million.
   */
  static final int MAX_TERMS_PER_WEEK = 10_000;

  private final NavigableMap<LocalDate, Long> perDay = new TreeMap<>();
  /** Monday of each week → terms → {searches, without results}. */
  private final NavigableMap<LocalDate, Map<String, long[]>> perWeek = new TreeMap<>();

  private final int weeksKept;

  private DemandSummary(int weeksKept) {
    this.weeksKept = weeksKept;
  }

  static DemandSummary of(Collection<SearchDemandEvent> records) {
    DemandSummary s = keepingWeeks(Integer.MAX_VALUE);
    records.forEach(s::add);
    return s;
  }

  /** An empty summary that holds the terms of the latest {@code weeks} weeks only, for {@link #add}. */
  static DemandSummary keepingWeeks(int weeks) {
    return new DemandSummary(weeks);
  }

  /** Counts one record. */
  void add(SearchDemandEvent r) {
    LocalDate day = LocalDate.ofInstant(r.bucketStart(), ZoneOffset.UTC);
    perDay.merge(day, r.searches(), Long::sum);
    Map<String, long[]> week = perWeek.computeIfAbsent(mondayOf(day), m -> new HashMap<>());
    long[] counts = week.get(r.terms());
    if (counts == null) {
      String terms = week.size() >= MAX_TERMS_PER_WEEK ? SearchDemandEvent.OTHER_TERMS : r.terms();
      counts = week.computeIfAbsent(terms, t -> new long[2]);
    }
    counts[0] += r.searches();
    counts[1] += r.withoutResults();
    if (perWeek.size() > weeksKept) {
      perWeek.pollFirstEntry();
    }
  }

  static LocalDate mondayOf(LocalDate day) {
    return day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
  }

  /** Every day from {@code first} to {@code last}, both included, with zero for a day without searches. */
  List<Day> days(LocalDate first, LocalDate last) {
    List<Day> days = new ArrayList<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      days.add(new Day(d, perDay.getOrDefault(d, 0L)));
    }
    return days;
  }

  /** The latest {@code maxWeeks} weeks that have searches, newest first, each with its top {@code topTerms}. */
  List<Week> weeks(int maxWeeks, int topTerms) {
    List<Week> weeks = new ArrayList<>();
    for (Map.Entry<LocalDate, Map<String, long[]>> w : perWeek.descendingMap().entrySet()) {
      if (weeks.size() == maxWeeks) {
        break;
      }
      List<TermCount> terms = new ArrayList<>();
      long total = 0;
      for (Map.Entry<String, long[]> t : w.getValue().entrySet()) {
        terms.add(new TermCount(t.getKey(), t.getValue()[0], t.getValue()[1]));
        total += t.getValue()[0];
      }
      terms.sort(MOST_SEARCHED);
      weeks.add(new Week(
          w.getKey(),
          total,
          List.copyOf(terms.subList(0, Math.min(topTerms, terms.size()))),
          terms.size()));
    }
    return weeks;
  }
}
