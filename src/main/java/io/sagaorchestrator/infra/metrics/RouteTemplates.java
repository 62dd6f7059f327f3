package io.sagaorchestrator.infra.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A request path as the route it matched ("/orders/{orderId}"), for metrics' {@code route}
 * label: the templates are the paths of the OpenAPI document shipped in the jar (which a test
 * keeps equal to the routes), so the label has as many values as the API has routes.
 */
public final class RouteTemplates {
  public static final String OTHER = "other";

  private record Template(String name, Pattern pattern) {}

  private final List<Template> templates;

  private RouteTemplates(List<Template> templates) {
    this.templates = List.copyOf(templates);
  }

  /** The templates of the OpenAPI document at {@code resource} on the classpath. */
  public static RouteTemplates fromOpenApi(String resource) {
    try (InputStream in = RouteTemplates.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException(resource + " is not on the classpath");
      JsonNode paths = new ObjectMapper().readTree(in).path("paths");
      List<Template> templates = new ArrayList<>();
      paths.fieldNames().forEachRemaining(path -> templates.add(new Template(path,
          Pattern.compile(Pattern.quote(path).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q")))));
      // Literal routes before parameterised ones, so /sagas/x/cancel never reads as /sagas/{id}.
      templates.sort((a, b) -> Long.compare(a.name().chars().filter(c -> c == '{').count(), b.name().chars().filter(c -> c == '{').count()));
      return new RouteTemplates(templates);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String of(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    for (Template template : templates) {
      if (template.pattern().matcher(trimmed).matches()) return template.name();
    }
    return OTHER;
  }
}
