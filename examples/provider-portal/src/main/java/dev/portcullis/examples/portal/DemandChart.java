package dev.portcullis.examples.portal;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A bar chart of searches per day as inline SVG, drawn on the server: no script, no stylesheet of its own (colours
 * are presentation attributes, which the pages' Content-Security-Policy allows), and an accessible name and
 * description for screen readers. The page shows the same numbers in a table as well.
 */
final class DemandChart {
  static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.UK);
  private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("d MMM", Locale.UK);

  private static final int WIDTH = 720;
  private static final int HEIGHT = 240;
  private static final int LEFT = 48;
  private static final int RIGHT = 8;
  private static final int TOP = 16;
  private static final int BOTTOM = 36;
  private static final String INK = "#0b0c0c";
  private static final String BAR = "#1d4f91";
  private static final String RULE = "#505a5f";

  private DemandChart() {}

  /**
   * The chart's {@code <svg>} element.
   *
   * @param days consecutive days, at least one
   * @param id a prefix for the ids of the title and description, unique in the page
   */
  static String svg(List<DemandSummary.Day> days, String id) {
    if (days.isEmpty()) {
      throw new IllegalArgumentException("a chart needs at least one day");
    }
    long max = 0;
    long total = 0;
    DemandSummary.Day busiest = days.get(0);
    for (DemandSummary.Day d : days) {
      total += d.searches();
      if (d.searches() > max) {
        max = d.searches();
        busiest = d;
      }
    }
    long scale = Math.max(1, max);
    String first = days.get(0).date().format(DAY);
    String last = days.get(days.size() - 1).date().format(DAY);
    String description = total == 0
        ? "No searches on any of these " + days.size() + " days."
        : "Bar chart of the number of searches on each of " + days.size() + " days: " + total
            + (total == 1 ? " search" : " searches") + " in all, the most (" + max + ") on "
            + busiest.date().format(DAY) + ". The table below gives every day's number.";
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    double step = (double) plotWidth / days.size();
    double barWidth = Math.max(1, step * 0.75);
    StringBuilder svg = new StringBuilder(4096)
        .append(
            "<svg class=\"chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\" aria-labelledby=\"")
        .append(id)
        .append("-title ")
        .append(id)
        .append("-desc\">\n<title id=\"")
        .append(id)
        .append("-title\">")
        .append(Html.escape("Searches per day, " + first + " to " + last))
        .append("</title>\n<desc id=\"")
        .append(id)
        .append("-desc\">")
        .append(Html.escape(description))
        .append("</desc>\n");
    // Axis and its two labels: zero and the highest count.
    int baseline = TOP + plotHeight;
    svg.append(line(LEFT, baseline, WIDTH - RIGHT, baseline))
        .append(line(LEFT, TOP, LEFT, baseline))
        .append(text(LEFT - 6, baseline + 4, "end", "0"))
        .append(text(LEFT - 6, TOP + 4, "end", Long.toString(scale)));
    for (int i = 0; i < days.size(); i++) {
      DemandSummary.Day d = days.get(i);
      double height = (double) plotHeight * d.searches() / scale;
      double x = LEFT + i * step + (step - barWidth) / 2;
      if (d.searches() > 0) {
        svg.append("<rect data-day=\"")
            .append(d.date())
            .append("\" data-searches=\"")
            .append(d.searches())
            .append("\" x=\"")
            .append(fmt(x))
            .append("\" y=\"")
            .append(fmt(baseline - height))
            .append("\" width=\"")
            .append(fmt(barWidth))
            .append("\" height=\"")
            .append(fmt(height))
            .append("\" fill=\"")
            .append(BAR)
            .append("\"/>\n");
      }
      // A date under the first bar, every seventh and the last.
      if (i % 7 == 0 || i == days.size() - 1) {
        svg.append(text(x + barWidth / 2, baseline + 18, "middle", d.date().format(SHORT)));
      }
    }
    return svg.append("</svg>").toString();
  }

  private static String line(double x1, double y1, double x2, double y2) {
    return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\""
        + fmt(y2) + "\" stroke=\"" + RULE + "\" stroke-width=\"1\"/>\n";
  }

  private static String text(double x, double y, String anchor, String content) {
    return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor
        + "\" font-size=\"12\" fill=\"" + INK + "\">" + Html.escape(content) + "</text>\n";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
