package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import io.sagaorchestrator.orchestrator.Ids;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** An id taken from a path segment: answered with 400 before anything is asked when it breaks {@link Ids}' rule. */
public final class PathIds {
  private PathIds() {}

  public static CompletionStage<HttpResponse> withValidId(String id, Function<String, CompletionStage<HttpResponse>> then) {
    if (!Ids.isValid(id)) {
      return CompletableFuture.completedFuture(HttpJson.error(StatusCodes.BAD_REQUEST, Ids.RULE, List.of("id")));
    }
    return then.apply(id);
  }
}
