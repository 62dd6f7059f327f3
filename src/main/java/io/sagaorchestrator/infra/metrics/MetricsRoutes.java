package io.sagaorchestrator.infra.metrics;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.util.Map;

/** {@code GET /metrics}: every metric of the node, for Prometheus to scrape. */
public final class MetricsRoutes extends AllDirectives {
  private static final ContentType.WithCharset TEXT_FORMAT = MediaTypes
      .customWithOpenCharset("text", "plain", Map.of("version", "0.0.4"), true)
      .toContentType(HttpCharsets.UTF_8);

  private final NodeMetrics metrics;

  public MetricsRoutes(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  public Route route() {
    return path("metrics", () -> get(() -> complete(HttpResponse.create().withEntity(HttpEntities.create(TEXT_FORMAT, metrics.scrape())))));
  }
}
