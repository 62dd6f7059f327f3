package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generic saga API of docs/design.md §5 over a user's module, installed from code beside the
 * order module found on the classpath: {@code POST /sagas}, {@code GET /sagas/{id}}, {@code POST /sagas/{id}/cancel},
 * {@code GET /definitions}.
 */
class SagaApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static DataDir dataDir;
  private static SagaNode node;

  /** A user's data type: whom to greet; "nobody" is refused, "later" never answers. */
  public record Greeting(String name, int times) {}

  /** A user's module, as small as one can be: one definition, one step, no routes of its own. */
  static final class GreetingModule implements SagaModule {
    @Override
    public String name() {
      return "greeting";
    }

    @Override
    public void install(ModuleContext node) {
      RetryPolicy once = RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 0);
      node.definition(SagaDefinition.builder("greeting", 1, Greeting.class)
          .step("hello", step -> step
              .action((greeting, context) -> greet(greeting)).compensation((greeting, context) -> done())
              .retry(once).timeout(Duration.ofSeconds(30)))
          .compensationRetry(once)
          .deadline(Duration.ofMinutes(5))
          .build());
    }

    private static CompletionStage<StepOutcome> greet(Greeting greeting) {
      return switch (greeting.name()) {
        case "nobody" -> CompletableFuture.completedFuture(new StepOutcome.Rejected("nobody to greet"));
        case "later" -> new CompletableFuture<>();
        default -> done();
      };
    }

    private static CompletionStage<StepOutcome> done() {
      return CompletableFuture.completedFuture(StepOutcome.succeeded());
    }
  }

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("saga-api");
    node = SagaNode.start(TestConfig.node(dataDir.path()), List.of(new GreetingModule()));
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  private static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (headers.length > 0) request.headers(headers);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private static String start(String sagaId, String name) {
    return "{\"definition\": \"greeting\", \"sagaId\": \"" + sagaId + "\", \"data\": {\"name\": \"" + name + "\", \"times\": 2}}";
  }

  private static void awaitStatus(String sagaId, String status) {
    Eventually.within(Duration.ofSeconds(10), () ->
        assertEquals(status, json(send("GET", "/sagas/" + sagaId, null)).path("status").asText()));
  }

  @Test
  void listsTheDefinitionsTheNodeRunsAndHowEachStarts() throws Exception {
    HttpResponse<String> response = send("GET", "/definitions", null);
    assertEquals(200, response.statusCode());
    JsonNode byName = JSON.createObjectNode();
    json(response).forEach(definition -> ((com.fasterxml.jackson.databind.node.ObjectNode) byName).set(definition.get("name").asText(), definition));
    assertEquals("[\"hello\"]", byName.path("greeting").path("steps").toString());
    assertEquals("[1]", byName.path("greeting").path("versions").toString());
    assertEquals("POST /sagas", byName.path("greeting").path("startedThrough").asText());
    assertEquals("[\"payment\",\"inventory\",\"shipping\"]", byName.path("order").path("steps").toString());
    assertEquals("POST /orders", byName.path("order").path("startedThrough").asText());
  }

  @Test
  void startsASagaOfAUsersDefinitionAndRunsItToTheEnd() throws Exception {
    String sagaId = "g-" + UUID.randomUUID();
    HttpResponse<String> accepted = send("POST", "/sagas", start(sagaId, "ada"));
    assertEquals(202, accepted.statusCode(), accepted.body());
    assertEquals("/sagas/" + sagaId, accepted.headers().firstValue("Location").orElseThrow());
    assertEquals(sagaId, json(accepted).path("sagaId").asText());
    awaitStatus(sagaId, "COMPLETED");
    assertEquals("greeting", json(send("GET", "/sagas/" + sagaId, null)).path("definition").asText());
  }

  @Test
  void aRefusedStepEndsTheSagaCompensated() throws Exception {
    String sagaId = "g-" + UUID.randomUUID();
    assertEquals(202, send("POST", "/sagas", start(sagaId, "nobody")).statusCode());
    awaitStatus(sagaId, "COMPENSATED");
  }

  @Test
  void theSameStartAgainIsAcceptedAndAnotherUnderTheSameIdIsAConflict() throws Exception {
    String sagaId = "g-" + UUID.randomUUID();
    assertEquals(202, send("POST", "/sagas", start(sagaId, "ada")).statusCode());
    assertEquals(202, send("POST", "/sagas", start(sagaId, "ada")).statusCode());
    HttpResponse<String> conflict = send("POST", "/sagas", start(sagaId, "grace"));
    assertEquals(409, conflict.statusCode(), conflict.body());
    assertTrue(json(conflict).path("error").asText().contains("other data"), conflict.body());
  }

  @Test
  void anIdempotencyKeyWithoutSagaIdFindsTheSameSagaOnRetry() throws Exception {
    String key = UUID.randomUUID().toString();
    String body = "{\"definition\": \"greeting\", \"data\": {\"name\": \"ada\", \"times\": 1}}";
    String first = json(send("POST", "/sagas", body, "Idempotency-Key", key)).path("sagaId").asText();
    String again = json(send("POST", "/sagas", body, "Idempotency-Key", key)).path("sagaId").asText();
    assertEquals(first, again);
    String other = json(send("POST", "/sagas", body)).path("sagaId").asText();
    assertTrue(!other.equals(first), other);
  }

  @Test
  void anIdempotencyKeySentWithASagaIdStaysWithThatSaga() throws Exception {
    String key = UUID.randomUUID().toString();
    String sagaId = "s-" + UUID.randomUUID();
    String body = "{\"definition\": \"greeting\", \"sagaId\": \"" + sagaId + "\", \"data\": {\"name\": \"ada\", \"times\": 1}}";
    assertEquals(202, send("POST", "/sagas", body, "Idempotency-Key", key).statusCode());
    assertEquals(202, send("POST", "/sagas", body, "Idempotency-Key", key).statusCode(), "the same key and body again");
    String otherId = "s-" + UUID.randomUUID();
    var other = send("POST", "/sagas", body.replace(sagaId, otherId), "Idempotency-Key", key);
    assertEquals(409, other.statusCode(), "the key is taken by " + sagaId);
    assertTrue(json(other).path("error").asText().contains(sagaId), other.body());
    assertEquals(404, send("GET", "/sagas/" + otherId, null).statusCode(), "no second saga");
  }

  @Test
  void badStartsAreRefusedWith400NamingTheField() throws Exception {
    record Bad(String body, String field) {}
    for (Bad bad : List.of(
        new Bad("{\"data\": {\"name\": \"ada\"}}", "definition"),
        new Bad("{\"definition\": \"nothing-like-it\", \"data\": {}}", "definition"),
        new Bad("{\"definition\": \"order\", \"data\": {}}", "definition"),
        new Bad("{\"definition\": \"greeting\"}", "data"),
        new Bad("{\"definition\": \"greeting\", \"data\": {\"name\": 5}}", "data.name"),
        new Bad("{\"definition\": \"greeting\", \"data\": {\"name\": \"ada\", \"times\": \"twice\"}}", "data.times"),
        new Bad("{\"definition\": \"greeting\", \"sagaId\": \"no spaces\", \"data\": {\"name\": \"ada\"}}", "sagaId"))) {
      HttpResponse<String> response = send("POST", "/sagas", bad.body());
      assertEquals(400, response.statusCode(), bad.body() + " -> " + response.body());
      assertEquals(bad.field(), json(response).path("details").path(0).asText(), bad.body() + " -> " + response.body());
    }
  }

  @Test
  void cancelsARunningSagaAndRefusesToCancelOneThatEnded() throws Exception {
    String waiting = "g-" + UUID.randomUUID();
    assertEquals(202, send("POST", "/sagas", start(waiting, "later")).statusCode());
    HttpResponse<String> cancelled = send("POST", "/sagas/" + waiting + "/cancel", null);
    assertEquals(202, cancelled.statusCode(), cancelled.body());
    awaitStatus(waiting, "COMPENSATED");
    HttpResponse<String> again = send("POST", "/sagas/" + waiting + "/cancel", null);
    assertEquals(409, again.statusCode(), again.body());
    assertEquals(404, send("POST", "/sagas/g-none-" + UUID.randomUUID() + "/cancel", null).statusCode());
  }

  @Test
  void streamsTheOutcomesOfOneDefinitionsSagasAsServerSentEvents() throws Exception {
    HttpResponse<java.util.stream.Stream<String>> stream = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/admin/saga-outcomes?definition=greeting"))
            .header("Authorization", "Bearer " + node.adminToken()).GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
    Thread reader = new Thread(() -> stream.body().forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      String line;
      do {
        line = lines.poll(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        assertTrue(line != null, "no subscribed event");
      } while (!line.matches("event: ?subscribed"));
      String completed = "g-" + UUID.randomUUID();
      String refused = "g-" + UUID.randomUUID();
      assertEquals(202, send("POST", "/sagas", start(completed, "ada")).statusCode());
      assertEquals(202, send("POST", "/sagas", start(refused, "nobody")).statusCode());
      java.util.Map<String, JsonNode> outcomes = new java.util.HashMap<>();
      while (!outcomes.keySet().containsAll(List.of(completed, refused))) {
        line = lines.poll(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        assertTrue(line != null, "outcomes seen: " + outcomes);
        if (line.startsWith("data:")) {
          JsonNode outcome = JSON.readTree(line.substring("data:".length()));
          assertEquals("greeting", outcome.get("definition").asText(), "only the definition asked for");
          outcomes.put(outcome.get("sagaId").asText(), outcome);
        }
      }
      assertEquals("COMPLETED", outcomes.get(completed).get("status").asText());
      assertEquals("COMPENSATED", outcomes.get(refused).get("status").asText());
      assertEquals("hello rejected: nobody to greet", outcomes.get(refused).get("reason").asText());
    } finally {
      stream.body().close();
    }
  }
}
