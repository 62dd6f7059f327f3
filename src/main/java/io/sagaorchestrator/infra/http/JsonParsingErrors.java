package io.sagaorchestrator.infra.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request the server cannot parse (a header over its limit, too many headers, a
 * bad request line): the parser's status, with the same JSON error body as every other error
 * instead of akka-http's plain text. Named by {@code akka.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, error.summary());
    return HttpJson.error(status, error.summary());
  }
}
