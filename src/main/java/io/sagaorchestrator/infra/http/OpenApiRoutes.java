package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;

/** {@code GET /openapi.json}: the API's OpenAPI 3 document, as shipped in the jar. */
public final class OpenApiRoutes extends AllDirectives {
  static final String RESOURCE = "openapi.json";

  public Route route() {
    return path(RESOURCE, () -> get(() -> getFromResource(RESOURCE, ContentTypes.APPLICATION_JSON)));
  }
}
