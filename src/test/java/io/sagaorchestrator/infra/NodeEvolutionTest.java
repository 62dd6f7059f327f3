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
import io.sagaorchestrator.orchestrator.StepAction;
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
import org.junit.jupiter.api.Test;

/**
 * docs/design.md §3.11 across deploys of one node on one journal: a saga started on trip@v1 is
 * BLOCKED (in {@code GET /sagas/{id}} and in the audit) on a build that has only v2, which starts
 * new sagas on v2; a build that has v1 again finishes it by itself.
 */
class NodeEvolutionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final RetryPolicy ONCE = RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 0);

  public record Trip(String traveller) {}

  /** A build's trip module: {@code versions} of one step, "book"; {@code answering}: whether booking ever answers. */
  record TripModule(List<Integer> versions, boolean answering) implements SagaModule {
    @Override
    public String name() {
      return "trip";
    }

    @Override
    public void install(ModuleContext node) {
      StepAction<Trip> book = (trip, step) -> answering ? CompletableFuture.completedFuture(StepOutcome.succeeded()) : new CompletableFuture<>();
      StepAction<Trip> undo = (trip, step) -> CompletableFuture.completedFuture(StepOutcome.succeeded());
      for (int version : versions) {
        node.definition(SagaDefinition.builder("trip", version, Trip.class).step("book", step -> step.action(book).compensation(undo).retry(ONCE).timeout(Duration.ofMinutes(5))).build());
      }
    }
  }

  @Test
  void aSagaBlockedOnABuildWithoutItsVersionFinishesOnOneThatHasIt() throws Exception {
    try (DataDir dataDir = new DataDir("evolution")) {
      String old = "trip-" + UUID.randomUUID();
      try (SagaNode v1 = SagaNode.start(TestConfig.node(dataDir.path()), List.of(new TripModule(List.of(1), false)))) {
        assertEquals(202, send(v1, "POST", "/sagas", start(old)).statusCode());
        awaitStatus(v1, old, "RUNNING");
      }

      String fresh = "trip-" + UUID.randomUUID();
      try (SagaNode v2 = SagaNode.start(TestConfig.node(dataDir.path()), List.of(new TripModule(List.of(2), true)))) {
        JsonNode blocked = awaitStatus(v2, old, "BLOCKED");
        assertEquals("definition trip@v1 is not registered on this node (it has trip versions [2]) (the saga was RUNNING)",
            blocked.path("reason").asText());
        assertEquals(1, blocked.path("definitionVersion").asInt());
        JsonNode audit = json(send(v2, "GET", "/admin/audit", null, "Authorization", "Bearer " + v2.adminToken()));
        assertEquals(1, audit.path("sagas").path("BLOCKED").asInt(), audit.toString());
        assertTrue(audit.path("violations").toString().contains("saga " + old + ": BLOCKED while RUNNING"), audit.toString());

        assertEquals(202, send(v2, "POST", "/sagas", start(fresh)).statusCode());
        assertEquals(2, awaitStatus(v2, fresh, "COMPLETED").path("definitionVersion").asInt());
      }

      try (SagaNode both = SagaNode.start(TestConfig.node(dataDir.path()), List.of(new TripModule(List.of(1, 2), true)))) {
        JsonNode done = awaitStatus(both, old, "COMPLETED");
        assertEquals(1, done.path("definitionVersion").asInt());
        assertEquals("SUCCEEDED", done.path("steps").path(0).path("status").asText(), done.toString());
      }
    }
  }

  private static String start(String sagaId) {
    return "{\"definition\": \"trip\", \"sagaId\": \"" + sagaId + "\", \"data\": {\"traveller\": \"ada\"}}";
  }

  private static HttpResponse<String> send(SagaNode node, String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (headers.length > 0) request.headers(headers);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  private static JsonNode awaitStatus(SagaNode node, String sagaId, String status) {
    JsonNode[] saga = new JsonNode[1];
    Eventually.within(Duration.ofSeconds(30), () -> {
      saga[0] = json(send(node, "GET", "/sagas/" + sagaId, null));
      assertEquals(status, saga[0].path("status").asText(), saga[0].toString());
    });
    return saga[0];
  }
}
