package io.sagaorchestrator.orchestrator;

import java.util.regex.Pattern;

/** The one rule every id in the API follows: 1–64 characters of [A-Za-z0-9._-]. */
public final class Ids {
  public static final String RULE = "id must be 1-64 characters of [A-Za-z0-9._-]";
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Ids() {}

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
