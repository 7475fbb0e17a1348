package dev.portcullis.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind the access tests, written to be as easy to fool as a careless back end: it answers
 * {@link #MARKER} for any request that <em>some</em> server could read as a path under {@code /reports} or
 * {@code /admin}. It asks both the container ({@code getPathInfo()}) and a deliberately lenient reading of the raw URI
 * that decodes up to three times (overlong UTF-8 and {@code %u} escapes included), folds compatibility characters
 * (NFKC), treats backslashes as slashes, drops path parameters and what follows a NUL, resolves dot segments, trims
 * trailing dots and spaces as Windows does, and ignores case. Everything else gets {@code public page}.
 */
final class SecretServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final String MARKER = "SECRET-REPORT-7f3a";
  private static final List<String> PROTECTED = List.of("reports", "admin");

  final transient AtomicInteger calls = new AtomicInteger();

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    calls.incrementAndGet();
    resp.setContentType("text/plain;charset=utf-8");
    resp.getWriter().write(isProtected(req) ? MARKER : "public page");
  }

  private static boolean isProtected(HttpServletRequest req) {
    String container;
    try {
      container = req.getPathInfo();
    } catch (RuntimeException e) {
      container = null;
    }
    List<String> lenient = segments(decodeLoosely(req.getRequestURI()));
    // The first segment of the raw URI is the context path.
    return (container != null && firstIsProtected(segments(decodeLoosely(container))))
        || (lenient.size() > 1 && firstIsProtected(lenient.subList(1, lenient.size())));
  }

  private static boolean firstIsProtected(List<String> segments) {
    return !segments.isEmpty() && PROTECTED.contains(segments.get(0));
  }

  /** Up to three rounds of percent-decoding, then NFKC and backslashes as slashes. */
  static String decodeLoosely(String raw) {
    String s = raw == null ? "" : raw;
    for (int round = 0; round < 3; round++) {
      s = decodeOnce(s);
    }
    return Normalizer.normalize(s, Normalizer.Form.NFKC).replace('\\', '/');
  }

  private static String decodeOnce(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 5 < s.length()
          && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
          && hex(s, i + 2, 4) >= 0) {
        appendUtf8(bytes, hex(s, i + 2, 4));
        i += 5;
      } else if (c == '%' && hex(s, i + 1, 2) >= 0) {
        bytes.write(hex(s, i + 1, 2));
        i += 2;
      } else {
        appendUtf8(bytes, c);
      }
    }
    return looseUtf8(bytes.toByteArray());
  }

  private static int hex(String s, int from, int digits) {
    if (from + digits > s.length()) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < from + digits; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static void appendUtf8(ByteArrayOutputStream out, int c) {
    byte[] b = new String(Character.toChars(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }

  /** UTF-8 that also accepts overlong forms ({@code c0 ae} is '.'); stray bytes read as Latin-1. */
  private static String looseUtf8(byte[] b) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < b.length; i++) {
      int b0 = b[i] & 0xff;
      int extra = b0 >= 0xf0 && b0 < 0xf8
          ? 3
          : b0 >= 0xe0 && b0 < 0xf0 ? 2 : b0 >= 0xc0 && b0 < 0xe0 ? 1 : 0;
      int cp = extra == 3 ? b0 & 0x07 : extra == 2 ? b0 & 0x0f : b0 & 0x1f;
      boolean ok = extra > 0 && i + extra < b.length;
      for (int k = 1; ok && k <= extra; k++) {
        int bk = b[i + k] & 0xff;
        ok = (bk & 0xc0) == 0x80;
        cp = (cp << 6) | (bk & 0x3f);
      }
      if (ok && Character.isValidCodePoint(cp)) {
        out.appendCodePoint(cp);
        i += extra;
      } else {
        out.append((char) b0);
      }
    }
    return out.toString();
  }

  /** Path segments after dropping parameters and NUL tails, resolving dot segments, trimming as Windows does. */
  static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String seg : path.split("/", -1)) {
      int semi = seg.indexOf(';');
      if (semi >= 0) {
        seg = seg.substring(0, semi);
      }
      int nul = seg.indexOf('\0');
      if (nul >= 0) {
        seg = seg.substring(0, nul);
      }
      seg = seg.strip();
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      seg = seg.replaceAll("[.\\s]+$", "");
      if (!seg.isEmpty()) {
        out.add(seg.toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }
}
