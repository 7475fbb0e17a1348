package dev.portcullis.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public surface of a module, read from its compiled classes: every public or protected type, top-level or nested
 * (reachable only through public or protected enclosing types), outside packages with an {@code internal} segment.
 *
 * <p>Each published module has a {@code public-api.txt} at its root listing that surface, one type per line, and an
 * {@code ApiSurfaceTest} that compares the two with {@link #assertMatches(Path)}, so adding, removing or renaming a
 * public type is a deliberate edit of the list. {@link #leaks()} finds public or protected signatures of surface
 * types that mention a type from an {@code internal} package, which callers could not name and which may change.
 */
public final class ApiSurface {
  private final List<Class<?>> types;

  private ApiSurface(List<Class<?>> types) {
    this.types = types;
  }

  /** The surface of the classes folder (or jar's folder) that holds {@code anchor}, limited to its root package. */
  public static ApiSurface of(Class<?> anchor) {
    return of(anchor, "dev.portcullis");
  }

  /** The surface of the classes folder that holds {@code anchor}, limited to {@code packagePrefix} and below. */
  public static ApiSurface of(Class<?> anchor, String packagePrefix) {
    Path root;
    try {
      root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(anchor + " is not loaded from a classes folder: " + root);
    }
    ClassLoader loader = anchor.getClassLoader();
    List<Class<?>> found = new ArrayList<>();
    Path start = root.resolve(packagePrefix.replace('.', '/'));
    if (!Files.isDirectory(start)) {
      return new ApiSurface(found);
    }
    try (Stream<Path> files = Files.walk(start)) {
      for (Path file : files
          .filter(p -> p.toString().endsWith(".class"))
          .sorted()
          .collect(Collectors.toList())) {
        String name =
            root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        name = name.substring(0, name.length() - ".class".length());
        if (name.endsWith("package-info") || name.endsWith("module-info") || isInternal(name)) {
          continue;
        }
        Class<?> type = Class.forName(name, false, loader);
        if (isExported(type)) {
          found.add(type);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    return new ApiSurface(found);
  }

  /** Whether a class or package name lies in an {@code internal} package (a package segment named so). */
  public static boolean isInternal(String name) {
    String pkg = name.lastIndexOf('.') < 0 ? "" : name.substring(0, name.lastIndexOf('.'));
    return Arrays.asList(pkg.split("\\.")).contains("internal");
  }

  private static boolean isExported(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (c.isAnonymousClass()
          || c.isLocalClass()
          || c.isSynthetic()
          || !(Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()))) {
        return false;
      }
    }
    return true;
  }

  /** The surface's type names (nested types as {@code Outer.Inner}), sorted. */
  public List<String> typeNames() {
    return types.stream().map(Class::getCanonicalName).sorted().collect(Collectors.toList());
  }

  /** How many of the surface's types are top-level. */
  public long topLevelCount() {
    return types.stream().filter(t -> t.getEnclosingClass() == null).count();
  }

  /**
   * Every public or protected signature of a surface type that mentions a type from an {@code internal} package, as
   * {@code "where: internal type"}, sorted. Looks at supertypes, type-parameter bounds, fields, constructors and
   * methods (parameters, results, declared exceptions, and the type arguments within each).
   */
  public List<String> leaks() {
    Set<String> leaks = new TreeSet<>();
    for (Class<?> type : types) {
      String owner = type.getCanonicalName();
      Set<Type> mentioned = new LinkedHashSet<>();
      mentioned.add(type.getGenericSuperclass());
      mentioned.addAll(Arrays.asList(type.getGenericInterfaces()));
      addBounds(type.getTypeParameters(), mentioned);
      report(owner, mentioned, leaks);
      for (Field f : type.getDeclaredFields()) {
        if (visible(f.getModifiers()) && !f.isSynthetic()) {
          report(owner + "." + f.getName(), List.of(f.getGenericType()), leaks);
        }
      }
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (visible(c.getModifiers()) && !c.isSynthetic()) {
          report(owner + ".<init>" + paramList(c), signature(c, null), leaks);
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
          report(
              owner + "." + m.getName() + paramList(m),
              signature(m, m.getGenericReturnType()),
              leaks);
        }
      }
    }
    return new ArrayList<>(leaks);
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String paramList(Executable e) {
    return Arrays.stream(e.getParameterTypes())
        .map(Class::getSimpleName)
        .collect(Collectors.joining(", ", "(", ")"));
  }

  private static List<Type> signature(Executable e, Type result) {
    List<Type> all = new ArrayList<>();
    if (result != null) {
      all.add(result);
    }
    all.addAll(Arrays.asList(e.getGenericParameterTypes()));
    all.addAll(Arrays.asList(e.getGenericExceptionTypes()));
    addBounds(e.getTypeParameters(), all);
    return all;
  }

  private static void addBounds(TypeVariable<?>[] variables, java.util.Collection<Type> into) {
    for (TypeVariable<?> v : variables) {
      into.addAll(Arrays.asList(v.getBounds()));
    }
  }

  private static void report(String where, java.util.Collection<Type> types, Set<String> leaks) {
    for (Type t : types) {
      collect(t, where, leaks);
    }
  }

  private static void collect(Type t, String where, Set<String> leaks) {
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (isInternal(c.getName())) {
        leaks.add(where + ": " + c.getName().replace('$', '.'));
      }
    } else if (t instanceof ParameterizedType p) {
      collect(p.getRawType(), where, leaks);
      if (p.getOwnerType() != null) {
        collect(p.getOwnerType(), where, leaks);
      }
      for (Type a : p.getActualTypeArguments()) {
        collect(a, where, leaks);
      }
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        collect(b, where, leaks);
      }
      for (Type b : w.getLowerBounds()) {
        collect(b, where, leaks);
      }
    } else if (t instanceof GenericArrayType g) {
      collect(g.getGenericComponentType(), where, leaks);
    }
    // A type variable's bounds are checked where it is declared.
  }

  /**
   * Fails, with the lines to add and to remove, unless {@code listFile} names exactly this surface. The file holds one
   * type name per line; blank lines and lines starting with {@code #} are ignored.
   */
  public void assertMatches(Path listFile) {
    List<String> expected;
    try {
      expected = Files.readAllLines(listFile, StandardCharsets.UTF_8).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new AssertionError(
          "cannot read the public API list " + listFile.toAbsolutePath() + ": " + e, e);
    }
    String diff = diff(expected, typeNames());
    if (!diff.isEmpty()) {
      throw new AssertionError(
          "The public types differ from " + listFile + ". If the change is meant, edit the list"
              + " (lines with + are public now but not listed, lines with - are listed but not public):\n"
              + diff);
    }
  }

  /**
   * The folders under {@code sourceRoot} (a module's {@code src/main/java}) that hold Java sources but no
   * {@code package-info.java}, as package names, sorted. Every package says what it is for.
   */
  public static List<String> packagesWithoutInfo(Path sourceRoot) {
    try (Stream<Path> files = Files.walk(sourceRoot)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .map(Path::getParent)
          .distinct()
          .filter(dir -> !Files.exists(dir.resolve("package-info.java")))
          .map(dir -> sourceRoot
              .relativize(dir)
              .toString()
              .replace(dir.getFileSystem().getSeparator(), "."))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines only in {@code actual} (prefixed {@code +}) and only in {@code expected} ({@code -}), or "". */
  public static String diff(List<String> expected, List<String> actual) {
    Set<String> all = new TreeSet<>(expected);
    all.addAll(actual);
    StringBuilder out = new StringBuilder();
    for (String line : all) {
      boolean listed = expected.contains(line);
      boolean present = actual.contains(line);
      if (listed != present) {
        out.append(present ? "+ " : "- ").append(line).append('\n');
      }
    }
    List<String> sorted = new ArrayList<>(expected);
    sorted.sort(null);
    if (out.length() == 0 && (!sorted.equals(expected) || all.size() != expected.size())) {
      out.append("(same types, but the list is not sorted or has duplicates)\n");
    }
    return out.toString();
  }
}
