package io.sagaorchestrator.infra.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The query parameters of a paged read, each checked and named in a 400: which exist, {@code limit}, {@code cursor}. */
public final class PageParameters {
  private PageParameters() {}

  /** A 400 naming the first parameter {@code route} does not take. */
  public static void rejectUnknown(Map<String, String> parameters, Set<String> known, String route) {
    for (String name : parameters.keySet()) {
      if (!known.contains(name)) {
        throw bad(name, "unknown parameter; " + route + " takes " + known.stream().sorted().collect(Collectors.joining(", ")));
      }
    }
  }

  /** {@code limit}: 1 to {@code max}, else {@code byDefault} (at most {@code max}). */
  public static int limit(Map<String, String> parameters, int byDefault, int max) {
    return number(parameters, "limit", byDefault, max);
  }

  /** The parameter {@code name}: a whole number from 1 to {@code max}, else {@code byDefault} (at most {@code max}). */
  public static int number(Map<String, String> parameters, String name, int byDefault, int max) {
    return text(parameters, name).map(value -> {
      try {
        int n = Integer.parseInt(value);
        if (n >= 1 && n <= max) return n;
      } catch (NumberFormatException e) {
        // a 400 below, as for any number out of range
      }
      throw bad(name, "must be a whole number from 1 to " + max);
    }).orElse(Math.min(byDefault, max));
  }

  /** The plain text of a {@code cursor} that {@link #cursor(String)} gave; a 400 for anything else. */
  public static Optional<String> cursor(Map<String, String> parameters) {
    return text(parameters, "cursor").map(value -> {
      try {
        return new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw badCursor();
      }
    });
  }

  /** The cursor a page hands out for the position {@code plain}. */
  public static String cursor(String plain) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  public static HttpJson.BadRequest badCursor() {
    return bad("cursor", "not a cursor this API gave (use the 'next' of a page)");
  }

  /** A parameter's value: 1-255 characters, or absent. */
  public static Optional<String> text(Map<String, String> parameters, String name) {
    String value = parameters.get(name);
    if (value == null) return Optional.empty();
    if (value.isBlank() || value.length() > 255) throw bad(name, "must be 1-255 characters");
    return Optional.of(value);
  }

  public static HttpJson.BadRequest bad(String parameter, String message) {
    return new HttpJson.BadRequest(parameter + ": " + message, List.of(parameter));
  }
}
