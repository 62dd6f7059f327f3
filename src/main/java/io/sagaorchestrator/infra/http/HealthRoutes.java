package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.sagaorchestrator.infra.http.dto.Dtos.HealthResponse;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** {@code /health/live} (the process answers) and {@code /health/ready} (it can take orders). */
public final class HealthRoutes extends AllDirectives {
  private final Supplier<CompletionStage<Map<String, Boolean>>> readiness;

  public HealthRoutes(Supplier<CompletionStage<Map<String, Boolean>>> readiness) {
    this.readiness = readiness;
  }

  public Route route() {
    return pathPrefix("health", () -> concat(
        path("live", () -> get(() -> complete(HttpJson.ok(new HealthResponse("UP", Map.of()))))),
        path("ready", () -> get(() -> completeWithFuture(readiness.get().thenApply(checks -> {
          boolean ready = checks.values().stream().allMatch(Boolean::booleanValue);
          return HttpJson.response(ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
              new HealthResponse(ready ? "UP" : "NOT_READY", checks));
        }))))));
  }
}
