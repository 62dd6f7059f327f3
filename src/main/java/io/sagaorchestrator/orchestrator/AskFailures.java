package io.sagaorchestrator.orchestrator;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** What a failed ask or future really was, under the CompletionException wrappers futures add. */
public final class AskFailures {
  private AskFailures() {}

  public static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }

  /** An ask timeout, or any timeout a future completed with: the outcome is unknown. */
  public static boolean isTimeout(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof TimeoutException || cause instanceof akka.pattern.AskTimeoutException;
  }

  /** The message of a failed ask for a log line or a reply; null when the ask did not fail. */
  public static String messageOf(Throwable error) {
    return error == null ? null : String.valueOf(unwrap(error).getMessage());
  }
}
