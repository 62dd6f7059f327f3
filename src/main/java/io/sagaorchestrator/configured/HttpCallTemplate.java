package io.sagaorchestrator.configured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.participants.http.HttpCall;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A configured step's {@code action} or {@code compensation}: {@code method}, {@code url},
 * {@code headers { .. }} and an optional {@code body}, all templates ({@link Template}). A body
 * given as an object is sent as JSON (a string that is one placeholder keeps its value's type);
 * a body given as a string is sent as that text, as {@code text/plain} unless a Content-Type header says otherwise.
 */
final class HttpCallTemplate {
  private static final Set<String> KEYS = Set.of("method", "url", "headers", "body");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final UnaryOperator<String> URL_ENCODED =
      value -> URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");

  private final String method;
  private final Template url;
  private final Map<String, Template> headers;
  private final JsonNode jsonBody;
  private final Template textBody;
  private final Set<String> dataFields;

  private HttpCallTemplate(String method, Template url, Map<String, Template> headers, JsonNode jsonBody, Template textBody,
      Set<String> dataFields) {
    this.method = method;
    this.url = url;
    this.headers = headers;
    this.jsonBody = jsonBody;
    this.textBody = textBody;
    this.dataFields = dataFields;
  }

  static HttpCallTemplate from(Config c, String key, Set<String> dataFields) {
    ConfiguredSaga.onlyKeys(c, KEYS, key);
    String method = c.getString("method").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) throw new IllegalArgumentException(key + ".method: must be one of " + METHODS.stream().sorted().toList());
    Template url = Template.parse(c.getString("url"), dataFields, key + ".url");
    if (!url.startsWith("/") && !url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException(key + ".url: must start with http://, https:// or / (a path on the participant's base-url)");
    }
    Map<String, Template> headers = new LinkedHashMap<>();
    if (c.hasPath("headers")) {
      c.getObject("headers").forEach((name, value) -> {
        if (value.valueType() != ConfigValueType.STRING) throw new IllegalArgumentException(key + ".headers." + name + ": must be a string");
        headers.put(name, Template.parse((String) value.unwrapped(), dataFields, key + ".headers." + name));
      });
    }
    JsonNode jsonBody = null;
    Template textBody = null;
    if (c.hasPath("body")) {
      ConfigValue body = c.getValue("body");
      if (body.valueType() == ConfigValueType.STRING) {
        textBody = Template.parse((String) body.unwrapped(), dataFields, key + ".body");
      } else {
        jsonBody = json(body);
        checkTemplates(jsonBody, dataFields, key + ".body");
      }
    }
    return new HttpCallTemplate(method, url, Map.copyOf(headers), jsonBody, textBody, dataFields);
  }

  boolean isRelative() {
    return url.startsWith("/");
  }

  HttpCall render(JsonNode data, StepContext step) {
    Map<String, String> rendered = new LinkedHashMap<>();
    headers.forEach((name, value) -> rendered.put(name, value.render(data, step, UnaryOperator.identity())));
    String body = null;
    String contentType = null;
    if (jsonBody != null) {
      body = fill(jsonBody, data, step).toString();
      contentType = "application/json";
    } else if (textBody != null) {
      body = textBody.render(data, step, UnaryOperator.identity());
      contentType = "text/plain; charset=utf-8";
    }
    return new HttpCall(method, url.render(data, step, URL_ENCODED), rendered, body, contentType);
  }

  private JsonNode fill(JsonNode node, JsonNode data, StepContext step) {
    if (node.isTextual()) return Template.parse(node.asText(), dataFields, "body").renderJson(data, step);
    if (node instanceof ObjectNode object) {
      ObjectNode out = JSON.createObjectNode();
      object.fields().forEachRemaining(e -> out.set(e.getKey(), fill(e.getValue(), data, step)));
      return out;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode out = JSON.createArrayNode();
      array.forEach(element -> out.add(fill(element, data, step)));
      return out;
    }
    return node;
  }

  private static void checkTemplates(JsonNode node, Set<String> dataFields, String key) {
    if (node.isTextual()) Template.parse(node.asText(), dataFields, key);
    else if (node.isObject()) node.fields().forEachRemaining(e -> checkTemplates(e.getValue(), dataFields, key + "." + e.getKey()));
    else if (node.isArray()) for (int i = 0; i < node.size(); i++) checkTemplates(node.get(i), dataFields, key + "[" + i + "]");
  }

  private static JsonNode json(ConfigValue value) {
    try {
      return JSON.readTree(value.render(ConfigRenderOptions.concise()));
    } catch (IOException e) {
      throw new IllegalStateException("HOCON renders JSON", e);
    }
  }
}
