package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.pattern.StatusReply;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** How a failed ask becomes a response: an entity's "not found" is 404, a timeout 503. */
final class Failures {
  private Failures() {}

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }

  static boolean isStatusError(Throwable error) {
    return unwrap(error) instanceof StatusReply.ErrorMessage;
  }

  static boolean isTimeout(Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof TimeoutException || cause instanceof akka.pattern.AskTimeoutException;
  }

  static CompletionException asCompletion(Throwable error) {
    return error instanceof CompletionException completion ? completion : new CompletionException(error);
  }

  static HttpResponse notFoundOr(Throwable error, String notFoundMessage) {
    if (isStatusError(error)) return HttpJson.error(StatusCodes.NOT_FOUND, notFoundMessage);
    if (isTimeout(error)) return HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE, "timed out waiting for the cluster; retry");
    throw asCompletion(error);
  }
}
