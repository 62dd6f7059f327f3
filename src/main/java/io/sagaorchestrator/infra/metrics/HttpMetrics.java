package io.sagaorchestrator.infra.metrics;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Times every request until its response starts, as {@code http_server_requests_seconds} by
 * method, route template and status class (2xx…5xx).
 */
public final class HttpMetrics extends AllDirectives {
  private final MeterRegistry registry;
  private final RouteTemplates routes;

  public HttpMetrics(MeterRegistry registry, RouteTemplates routes) {
    this.registry = registry;
    this.routes = routes;
  }

  public Route timed(Supplier<Route> inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      return mapResponse(response -> record(request, response, started), inner);
    });
  }

  private HttpResponse record(HttpRequest request, HttpResponse response, long started) {
    Timer.builder("http.server.requests")
        .description("HTTP requests until their response starts")
        .tag("method", request.method().name())
        .tag("route", routes.of(request.getUri().path()))
        .tag("status", response.status().intValue() / 100 + "xx")
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    return response;
  }
}
