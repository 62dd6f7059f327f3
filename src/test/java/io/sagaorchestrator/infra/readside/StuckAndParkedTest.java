package io.sagaorchestrator.infra.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.TestConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md §9: stuck sagas (no event for saga.stuck-after) and parked ones, as GET /sagas
 * lists them and the gauges count them, and POST /admin/sagas/retry resuming a filtered set of
 * parked sagas.
 */
class StuckAndParkedTest {
  private static final Duration PROJECTED = Duration.ofSeconds(20);
  /** Whether the errand service takes compensations; until then, compensations fail and their sagas park. */
  private static final AtomicBoolean UNDOING_WORKS = new AtomicBoolean();
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;

  /** A saga whose one step hangs, is refused, or fails (and so does its compensation, until told otherwise). */
  public record Errand(String mode) {}

  static final class ErrandModule implements SagaModule {
    @Override
    public String name() {
      return "errand";
    }

    @Override
    public void install(ModuleContext node) {
      RetryPolicy once = RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 0);
      node.definition(SagaDefinition.builder("errand", 1, Errand.class)
          .step("run", step -> step
              .action((errand, context) -> run(errand))
              .compensation((errand, context) -> CompletableFuture.completedFuture(UNDOING_WORKS.get()
                  ? StepOutcome.succeeded() : new StepOutcome.Failed("errand service down")))
              .retry(once).timeout(Duration.ofMinutes(5)))
          .compensationRetry(RetryPolicy.exponential(2, Duration.ofMillis(10), Duration.ofMillis(10), 0))
          .deadline(Duration.ofMinutes(10))
          .build());
    }

    private static CompletionStage<StepOutcome> run(Errand errand) {
      if (errand.mode().equals("hang")) return new CompletableFuture<>();
      return CompletableFuture.completedFuture(new StepOutcome.Failed("errand failed"));
    }
  }

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("stuck-and-parked");
    node = SagaNode.start(TestConfig.node(dataDir.path(), """
        saga.stuck-after = 1s
        saga.read-side.gauge-interval = 200ms
        saga.http.bulk-retry-per-second = 5
        """), List.of(new ErrandModule()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void aSagaWithNoEventForStuckAfterIsListedAndCountedAsStuck() {
    String sagaId = start("hang");
    Eventually.within(PROJECTED, () -> {
      JsonNode listed = api.get("/sagas?stuck=true&definition=errand").json().get("sagas");
      assertTrue(ids(listed).contains(sagaId), listed.toString());
      listed.forEach(saga -> assertTrue(saga.get("stuck").asBoolean(), saga.toString()));
      assertTrue(gauge("saga_stuck", "errand") >= 1, "saga_stuck counts it");
      assertTrue(gauge("saga_in_flight", "errand") >= 1, "saga_in_flight counts it");
      assertTrue(gauge("saga_oldest_in_flight_age_seconds", "errand") >= 1, "the oldest in flight is at least a second old");
    });
    assertTrue(!ids(api.get("/sagas?stuck=false&definition=errand&limit=500").json().get("sagas")).contains(sagaId));
  }

  @Test
  void retriesAFilteredSetOfParkedSagasAtABoundedRate() {
    UNDOING_WORKS.set(false);
    String correlation = "corr-" + UUID.randomUUID();
    List<String> parked = new ArrayList<>();
    for (int i = 0; i < 3; i++) parked.add(start("fail", correlation));
    parked.forEach(sagaId -> Eventually.within(PROJECTED, () ->
        assertEquals("PARKED", api.get("/sagas/" + sagaId + "?waitMs=2000").json().get("status").asText())));
    Eventually.within(PROJECTED, () -> {
      assertEquals(Set.copyOf(parked), Set.copyOf(ids(api.get("/sagas?status=PARKED&correlationId=" + correlation).json().get("sagas"))));
      assertTrue(gauge("saga_parked", "errand") >= 3, "saga_parked counts them");
    });

    assertEquals(401, api.post("/admin/sagas/retry?correlationId=" + correlation, "").status(), "operator only");
    UNDOING_WORKS.set(true);
    NodeClient.Response first = api.adminPost("/admin/sagas/retry?max=2&correlationId=" + correlation, "");
    assertEquals(202, first.status(), first.body());
    assertEquals(2, first.json().get("selected").asInt());
    assertEquals(5, first.json().get("perSecond").asInt());
    Set<String> resumed = new HashSet<>(ids(first.json().get("sagaIds")));
    resumed.forEach(sagaId -> Eventually.within(PROJECTED, () ->
        assertEquals("COMPENSATED", api.get("/sagas/" + sagaId + "?waitMs=2000").json().get("status").asText())));
    List<String> left = parked.stream().filter(sagaId -> !resumed.contains(sagaId)).toList();
    assertEquals("PARKED", api.get("/sagas/" + left.get(0)).json().get("status").asText(), "max=2 left the third parked");

    Eventually.within(PROJECTED, () -> assertEquals(left,
        ids(api.get("/sagas?status=PARKED&correlationId=" + correlation).json().get("sagas"))));
    NodeClient.Response rest = api.adminPost("/admin/sagas/retry?correlationId=" + correlation, "");
    assertEquals(List.of(left.get(0)), ids(rest.json().get("sagaIds")));
    Eventually.within(PROJECTED, () ->
        assertEquals("COMPENSATED", api.get("/sagas/" + left.get(0) + "?waitMs=2000").json().get("status").asText()));
  }

  @Test
  void rejectsABadBulkRetryWith400NamingTheParameter() {
    assertEquals(List.of("max"), details(api.adminPost("/admin/sagas/retry?max=0", "")));
    assertEquals(List.of("max"), details(api.adminPost("/admin/sagas/retry?max=10001", "")));
    assertEquals(List.of("status"), details(api.adminPost("/admin/sagas/retry?status=RUNNING", "")));
    assertEquals(List.of("since"), details(api.adminPost("/admin/sagas/retry?since=yesterday", "")));
  }

  private static String start(String mode) {
    return start(mode, "corr-" + UUID.randomUUID());
  }

  private static String start(String mode, String correlation) {
    NodeClient.Response started = api.post("/sagas", "{\"definition\": \"errand\", \"data\": {\"mode\": \"" + mode + "\"}}",
        "X-Correlation-Id", correlation);
    assertEquals(202, started.status(), started.body());
    return started.json().get("sagaId").asText();
  }

  private static List<String> details(NodeClient.Response response) {
    assertEquals(400, response.status(), response.body());
    List<String> details = new ArrayList<>();
    response.json().get("details").forEach(detail -> details.add(detail.asText()));
    return details;
  }

  private static List<String> ids(JsonNode sagas) {
    List<String> ids = new ArrayList<>();
    sagas.forEach(saga -> ids.add(saga.isTextual() ? saga.asText() : saga.get("sagaId").asText()));
    return ids;
  }

  /** A gauge's value in this node's scrape (MetricsTest checks the exposition as a whole with promtool). */
  private static double gauge(String name, String definition) {
    Matcher sample = Pattern.compile("(?m)^" + name + "\\{definition=\"" + definition + "\",?\\} (\\S+)$")
        .matcher(api.get("/metrics").body());
    return sample.find() ? Double.parseDouble(sample.group(1)) : -1;
  }
}
