package io.sagaorchestrator.infra.http;

import io.sagaorchestrator.infra.metrics.HttpMetrics;
import io.sagaorchestrator.infra.metrics.MetricsRoutes;
import io.sagaorchestrator.infra.metrics.NodeMetrics;
import io.sagaorchestrator.infra.metrics.RouteTemplates;
import io.sagaorchestrator.orchestrator.AskFailures;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole HTTP API: correlation ids, the admin token, and errors that are always JSON
 * ({"error", "details"}) with a status that says whose fault it was.
 */
public final class ApiRoutes extends AllDirectives {
  public static final String CORRELATION_ID = "X-Correlation-Id";
  private static final Pattern VALID_CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);

  private final SagaRoutes sagas;
  private final HealthRoutes health;
  private final List<Function<String, Route>> moduleRoutes;
  private final Route adminRoutes;
  private final BearerToken adminToken;
  private final HttpMetrics metrics;
  private final Route metricsRoute;

  /** {@code adminRoutes} answer under {@code /admin}, behind the admin token; the modules' routes beside the node's own. */
  public ApiRoutes(SagaRoutes sagas, HealthRoutes health, List<Function<String, Route>> moduleRoutes,
      List<Supplier<Route>> adminRoutes, String adminToken, NodeMetrics nodeMetrics) {
    this.metrics = new HttpMetrics(nodeMetrics.registry(), RouteTemplates.fromOpenApi(OpenApiRoutes.RESOURCE));
    this.metricsRoute = new MetricsRoutes(nodeMetrics).route();
    this.sagas = sagas;
    this.health = health;
    this.moduleRoutes = List.copyOf(moduleRoutes);
    this.adminRoutes = anyOf(adminRoutes.stream().map(Supplier::get).toList());
    this.adminToken = new BearerToken(List.of(adminToken), "admin routes need the header Authorization: Bearer <admin token>");
  }

  // Built once: the route closure runs per request.
  private static final ExceptionHandler EXCEPTIONS = exceptionHandler();
  private static final RejectionHandler REJECTIONS = rejectionHandler();
  private static final Route OPEN_API = new OpenApiRoutes().route();
  private static final Route CONSOLE = new ConsoleRoutes().route();

  public Route route() {
    return metrics.timed(() -> optionalHeaderValueByName(CORRELATION_ID, given -> {
      String correlationId = given.filter(id -> VALID_CORRELATION_ID.matcher(id).matches())
          .orElseGet(() -> UUID.randomUUID().toString());
      return respondWithHeader(RawHeader.create(CORRELATION_ID, correlationId), () ->
          handleExceptions(EXCEPTIONS, () -> handleRejections(REJECTIONS, () -> concat(
              anyOf(moduleRoutes.stream().map(route -> route.apply(correlationId)).toList()),
              sagas.route(correlationId, this::adminOnly),
              pathPrefix("admin", () -> adminOnly(() -> adminRoutes)),
              health.route(),
              metricsRoute,
              OPEN_API,
              CONSOLE))));
    }));
  }

  private Route anyOf(List<Route> routes) {
    return routes.isEmpty() ? reject() : concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
  }

  private Route adminOnly(Supplier<Route> inner) {
    return adminToken.required(inner);
  }

  private static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(thrown -> {
          Throwable error = AskFailures.unwrap(thrown);
          if (error instanceof HttpJson.BadRequest bad) {
            return completeWith(HttpJson.error(StatusCodes.BAD_REQUEST, bad.getMessage(), bad.details()));
          }
          if (error instanceof EntityStreamSizeException) {
            return completeWith(HttpJson.error(StatusCodes.PAYLOAD_TOO_LARGE, "request body too large"));
          }
          if (AskFailures.isTimeout(error)) {
            return completeWith(HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE, "timed out waiting for the cluster; retry"));
          }
          log.error("request failed", error);
          return completeWith(HttpJson.error(StatusCodes.INTERNAL_SERVER_ERROR, "internal error"));
        })
        .build();
  }

  private static Route completeWith(HttpResponse response) {
    return new AllDirectives() {}.complete(response);
  }

  /** Akka's own rejection answers (404, 405, 413, …), turned into the API's JSON error shape. */
  private static RejectionHandler rejectionHandler() {
    RejectionHandler tooLarge = RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, rejection ->
            AskFailures.unwrap(rejection.getCause()) instanceof EntityStreamSizeException
                ? completeWith(HttpJson.error(StatusCodes.PAYLOAD_TOO_LARGE, "request body too large"))
                : completeWith(HttpJson.error(StatusCodes.BAD_REQUEST, "malformed request body: " + rejection.message())))
        .build();
    return tooLarge.withFallback(RejectionHandler.defaultHandler()).mapRejectionResponse(response -> {
      if (response.entity() instanceof HttpEntity.Strict strict && !ContentTypes.APPLICATION_JSON.equals(strict.getContentType())) {
        return HttpJson.error(response.status(), strict.getData().utf8String()).addHeaders(response.getHeaders());
      }
      return response;
    });
  }
}
