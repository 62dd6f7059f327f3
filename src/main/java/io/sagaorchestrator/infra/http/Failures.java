package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.pattern.StatusReply;
import io.sagaorchestrator.orchestrator.AskFailures;
import java.util.concurrent.CompletionException;

/** How a failed ask becomes a response: an entity's "not found" is 404, a timeout 503. */
public final class Failures {
  private Failures() {}

  public static boolean isStatusError(Throwable error) {
    return AskFailures.unwrap(error) instanceof StatusReply.ErrorMessage;
  }

  public static CompletionException asCompletion(Throwable error) {
    return error instanceof CompletionException completion ? completion : new CompletionException(error);
  }

  public static HttpResponse notFoundOr(Throwable error, String notFoundMessage) {
    if (isStatusError(error)) return HttpJson.error(StatusCodes.NOT_FOUND, notFoundMessage);
    if (AskFailures.isTimeout(error)) return HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE, "timed out waiting for the cluster; retry");
    throw asCompletion(error);
  }
}
