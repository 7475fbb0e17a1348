package dev.portcullis.apifixture;

import dev.portcullis.apifixture.internal.Hidden;
import java.util.List;
import java.util.Optional;

/** A public type whose signatures leak an internal type in every way {@code ApiSurface.leaks()} looks for. */
@SuppressWarnings("ComparableType") // a supertype argument is one of the leaks the check must find
public class Exposed implements Comparable<Hidden> {
  public Hidden field;
  protected List<Hidden> list;
  private Hidden quietField;

  public Exposed(Hidden hidden) {}

  Exposed() {}

  public Optional<Hidden> find() {
    return Optional.empty();
  }

  protected void take(Hidden[] many) {}

  public <T extends Hidden> T bounded() {
    return null;
  }

  public void fail() throws Failure {}

  private Hidden quiet() {
    return quietField;
  }

  String packagePrivate(Hidden h) {
    return "";
  }

  @Override
  public int compareTo(Hidden o) {
    return 0;
  }

  /** A public nested type: part of the surface. */
  public static final class Nested {
    public String clean() {
      return "";
    }
  }

  /** A package-private nested type: not part of the surface, so what it mentions does not matter. */
  static final class Quiet {
    public Hidden hidden() {
      return null;
    }
  }

  /** A public exception whose constructor names an internal type. */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    public Failure(Hidden cause) {}
  }
}
