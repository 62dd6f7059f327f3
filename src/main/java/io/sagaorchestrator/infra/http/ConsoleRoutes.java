package io.sagaorchestrator.infra.http;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.util.regex.Pattern;

/**
 * {@code /console}: the web console, static files shipped in the jar under {@code console/}. It
 * reads the open routes ({@code /sagas}, {@code /metrics}) and sends the admin token only for a retry.
 */
public final class ConsoleRoutes extends AllDirectives {
  private static final String DIRECTORY = "console/";
  /** One flat directory of plain names: no path the client sends can reach another resource. */
  private static final Pattern FILE = Pattern.compile("[a-z]+\\.(html|css|js)");

  public Route route() {
    return pathPrefix("console", () -> get(() -> concat(
        pathEndOrSingleSlash(() -> getFromResource(DIRECTORY + "index.html")),
        path(segment(), file -> FILE.matcher(file).matches()
            ? concat(getFromResource(DIRECTORY + file), notFound(file))
            : notFound(file)))));
  }

  private Route notFound(String file) {
    return complete(HttpJson.error(StatusCodes.NOT_FOUND, "the console has no file " + file));
  }
}
