package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.TestConfig;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the node serves is valid OpenAPI 3 (read by swagger-parser), and it and
 * the server agree: every documented operation is routed; on every documented path (and one
 * segment below it) the server answers nothing the document does not list; and every path
 * segment the route code names appears in the document.
 */
class OpenApiTest {
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH");
  private static final String NO_ROUTE = "The requested resource could not be found.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static DataDir dataDir;
  private static SagaNode node;
  private static OpenAPI api;

  @BeforeAll
  static void startNodeAndReadItsDocument() throws Exception {
    dataDir = new DataDir("openapi");
    node = SagaNode.start(TestConfig.node(dataDir.path()));
    HttpResponse<String> served = HTTP.send(request("GET", "/openapi.json").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, served.statusCode());
    assertEquals("application/json", served.headers().firstValue("Content-Type").orElseThrow());
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body(), null, null);
    assertEquals(List.of(), parsed.getMessages(), "the document is valid OpenAPI 3");
    api = parsed.getOpenAPI();
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  private static HttpRequest.Builder request(String method, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + node.adminToken())
        .header("Content-Type", "application/json")
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
  }

  /** What the server answers; the body only up to what tells a missing route apart (streams stay open). */
  private record Answer(int status, String body) {
    boolean noRoute() {
      return status == 405 || (status == 404 && body.contains(NO_ROUTE));
    }
  }

  private static Answer send(String method, String path) throws Exception {
    HttpResponse<InputStream> response = HTTP.send(request(method, path).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      boolean stream = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
      return new Answer(response.statusCode(), stream ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static String concrete(String template) {
    return template.replaceAll("\\{[^}]+}", "probe-1");
  }

  private static boolean documented(String path) {
    return api.getPaths().keySet().stream()
        .anyMatch(template -> path.matches(template.replaceAll("\\{[^}]+}", "[^/]+")));
  }

  private static Set<String> documentedMethods(PathItem item) {
    return item.readOperationsMap().keySet().stream().map(Enum::name).collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void theServedDocumentIsTheOneShippedInTheJar() throws Exception {
    try (InputStream shipped = SagaNode.class.getClassLoader().getResourceAsStream("openapi.json")) {
      String body = HTTP.send(request("GET", "/openapi.json").build(), HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(JSON.readTree(shipped), JSON.readTree(body));
    }
  }

  @Test
  void everyDocumentedOperationIsRouted() throws Exception {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, PathItem> path : api.getPaths().entrySet()) {
      for (String method : documentedMethods(path.getValue())) {
        Answer answer = send(method, concrete(path.getKey()));
        if (answer.noRoute()) missing.add(method + " " + path.getKey() + " -> " + answer.status());
        assertNotEquals(500, answer.status(), method + " " + path.getKey() + ": " + answer.body());
      }
    }
    assertEquals(List.of(), missing, "documented but not routed");
  }

  @Test
  void theServerAnswersNothingTheDocumentLeavesOut() throws Exception {
    List<String> undocumented = new ArrayList<>();
    for (Map.Entry<String, PathItem> path : api.getPaths().entrySet()) {
      Set<String> listed = documentedMethods(path.getValue());
      String concrete = concrete(path.getKey());
      for (String method : METHODS) {
        if (listed.contains(method)) continue;
        Answer answer = send(method, concrete);
        if (!answer.noRoute()) undocumented.add(method + " " + path.getKey() + " -> " + answer.status());
      }
      String below = concrete + "/probe-2";
      if (documented(below)) continue;
      for (String method : METHODS) {
        Answer answer = send(method, below);
        if (!answer.noRoute()) undocumented.add(method + " " + below + " -> " + answer.status());
      }
    }
    for (String top : List.of("/", "/admin", "/probe-3")) {
      if (documented(top)) continue;
      for (String method : METHODS) {
        Answer answer = send(method, top);
        if (!answer.noRoute()) undocumented.add(method + " " + top + " -> " + answer.status());
      }
    }
    assertEquals(List.of(), undocumented, "routed but not documented");
  }

  /** Every path segment the route code names (path("…"), pathPrefix("…"), slash("…")) is in some documented path. */
  @Test
  void everySegmentTheRoutesNameIsDocumented() throws Exception {
    Pattern literal = Pattern.compile("\\b(?:path|pathPrefix|slash)\\(\"([^\"]+)\"");
    Set<String> documentedSegments = new HashSet<>();
    api.getPaths().keySet().forEach(template -> documentedSegments.addAll(List.of(template.split("/"))));
    List<String> undocumented = new ArrayList<>();
    try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
      for (Path source : sources.filter(file -> file.toString().endsWith("Routes.java")).toList()) {
        Matcher found = literal.matcher(Files.readString(source));
        while (found.find()) {
          if (!documentedSegments.contains(found.group(1))) undocumented.add(found.group(1) + " in " + source.getFileName());
        }
      }
    }
    assertEquals(List.of(), undocumented, "segments routed but not documented");
  }

  @Test
  void everyOperationNamesItsErrorsAndTheAdminOnesNeedTheToken() {
    api.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, operation) -> {
      assertFalse(operation.getResponses().isEmpty(), method + " " + template);
      boolean admin = operation.getSecurity() != null && !operation.getSecurity().isEmpty();
      assertEquals(template.startsWith("/admin") || template.endsWith("/retry"), admin, method + " " + template + " security");
      if (admin) assertTrue(operation.getResponses().containsKey("401"), method + " " + template + " documents 401");
    }));
  }
}
