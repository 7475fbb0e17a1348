package dev.portcullis.aspnet.imports;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A reader of comma-separated values as RFC 4180 defines them: fields separated by commas, records by CRLF (or a bare
 * LF or CR, which exports from Unix tools use), a field in double quotes may hold commas, line breaks and doubled
 * quotes ({@code ""}). A byte order mark before the first field is skipped.
 *
 * <p>Anything else is malformed and stops the reading with the line it is on: a quote inside an unquoted field, text
 * after a closing quote, a quoted field that never closes, or a field longer than {@link #MAX_FIELD_LENGTH}. There is
 * no recovery: once the quoting is wrong, which text belongs to which record is a guess.
 */
final class Csv {
  /** Far above any real user field; bounds what a broken file can make this hold. */
  static final int MAX_FIELD_LENGTH = 16_384;

  /** One record: the line it starts on (1-based) and its fields. */
  record Record(int line, List<String> fields) {}

  /** Input that cannot be read as an export, at a line. The message never quotes the input. */
  static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    MalformedException(int line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }

    int line() {
      return line;
    }
  }

  private final Reader in;
  private int line = 1;
  private int pushedBack = -2;

  private Csv(Reader in) {
    this.in = in;
  }

  /** Every record of {@code in}; blank lines between records are skipped. Does not close the reader. */
  static List<Record> read(Reader in) throws IOException, MalformedException {
    return new Csv(in).records();
  }

  private int next() throws IOException {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    return in.read();
  }

  private List<Record> records() throws IOException, MalformedException {
    List<Record> records = new ArrayList<>();
    int c = next();
    if (c == '\uFEFF') {
      c = next();
    }
    while (c != -1) {
      if (c == '\r' || c == '\n') {
        c = endOfLine(c);
        continue;
      }
      pushedBack = c;
      int start = line;
      List<String> fields = new ArrayList<>();
      c = record(fields);
      records.add(new Record(start, List.copyOf(fields)));
      if (c != -1) {
        c = endOfLine(c);
      }
    }
    return records;
  }

  /** Consumes one line ending whose first character is {@code c}; returns the character after it. */
  private int endOfLine(int c) throws IOException {
    line++;
    int after = next();
    if (c == '\r' && after == '\n') {
      after = next();
    }
    return after;
  }

  /** Reads the fields of one record; returns the character that ended it (a line break or -1). */
  private int record(List<String> fields) throws IOException, MalformedException {
    while (true) {
      StringBuilder field = new StringBuilder();
      int c = next();
      if (c == '"') {
        c = quoted(field);
      } else {
        while (c != ',' && c != '\r' && c != '\n' && c != -1) {
          if (c == '"') {
            throw new MalformedException(
                line, "a quote inside a field that does not start with one");
          }
          append(field, c);
          c = next();
        }
      }
      fields.add(field.toString());
      if (c != ',') {
        return c;
      }
    }
  }

  /** Reads a quoted field after its opening quote; returns the character after the closing quote. */
  private int quoted(StringBuilder field) throws IOException, MalformedException {
    int opened = line;
    while (true) {
      int c = next();
      if (c == -1) {
        throw new MalformedException(opened, "a quoted field that is never closed");
      }
      if (c == '"') {
        int after = next();
        if (after == '"') {
          append(field, '"');
          continue;
        }
        if (after != ',' && after != '\r' && after != '\n' && after != -1) {
          throw new MalformedException(line, "text after the closing quote of a field");
        }
        return after;
      }
      if (c == '\n' || (c == '\r' && !lfFollows())) {
        line++;
      }
      append(field, c);
    }
  }

  /** A CR inside a quoted field counts as a line only when no LF follows it; peeks without consuming. */
  private boolean lfFollows() throws IOException {
    int after = next();
    pushedBack = after;
    return after == '\n';
  }

  private void append(StringBuilder field, int c) throws MalformedException {
    if (field.length() >= MAX_FIELD_LENGTH) {
      throw new MalformedException(line, "a field longer than " + MAX_FIELD_LENGTH + " characters");
    }
    field.append((char) c);
  }
}
