package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.ServerSentEvents;
import io.sagaorchestrator.testsupport.ServerSentEvents.Sse;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /sagas/{id}/events} (docs/design.md §5): a saga's history and then its steps as they
 * happen, as server-sent events whose ids let a client that reconnects resume exactly after the
 * last one it saw.
 */
class SagaEventStreamTest {
  /** The answer each "gate" saga's one step waits for, by saga id. */
  private static final Map<String, CompletableFuture<StepOutcome>> GATES = new ConcurrentHashMap<>();
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;

  public record Gate(String note) {}

  static final class GateModule implements SagaModule {
    @Override
    public String name() {
      return "gate";
    }

    @Override
    public void install(ModuleContext node) {
      RetryPolicy once = RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO, 0);
      node.definition(SagaDefinition.builder("gate", 1, Gate.class)
          .step("open", step -> step
              .action((gate, context) -> GATES.computeIfAbsent(context.sagaId(), id -> new CompletableFuture<>()))
              .compensation((gate, context) -> CompletableFuture.completedFuture(StepOutcome.succeeded()))
              .retry(once).timeout(Duration.ofMinutes(5)))
          .compensationRetry(once)
          .deadline(Duration.ofMinutes(10))
          .build());
    }
  }

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("saga-events");
    node = SagaNode.start(TestConfig.node(dataDir.path()), List.of(new GateModule()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void streamsAnEndedSagasHistoryAndResumesAfterTheLastIdSeen() throws Exception {
    Orders orders = new Orders(api);
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "XX");
    orders.awaitSettled(orderId);

    List<Sse> all = untilEnd(orderId, null);
    List<String> history = api.get("/sagas/" + orderId).json().get("history").findValuesAsText("type");
    assertEquals(history, steps(all).stream().map(e -> e.data().get("type").asText()).toList());
    assertEquals("COMPENSATED", all.get(all.size() - 1).data().get("status").asText());

    Sse third = steps(all).get(2);
    List<Sse> resumed = untilEnd(orderId, third.id());
    assertEquals(steps(all).subList(3, steps(all).size()), steps(resumed), "exactly the entries after the last id seen");
  }

  @Test
  void sendsEachStepAsItHappens() throws Exception {
    NodeClient.Response started = api.post("/sagas", "{\"definition\": \"gate\", \"data\": {\"note\": \"live\"}}");
    assertEquals(202, started.status(), started.body());
    String sagaId = started.json().get("sagaId").asText();
    HttpResponse<Stream<String>> response = open(sagaId, null);
    Iterator<Sse> stream = ServerSentEvents.events(response.body());
    assertEquals("SagaStarted", nextStep(stream).data().get("type").asText());

    GATES.computeIfAbsent(sagaId, id -> new CompletableFuture<>()).complete(StepOutcome.succeeded());
    List<String> rest = new ArrayList<>();
    Sse event;
    while (!(event = stream.next()).event().equals("end")) rest.add(event.data().get("type").asText());
    assertTrue(rest.contains("StepSucceeded") || rest.contains("LastStepSucceeded"), rest.toString());
    assertEquals("COMPLETED", event.data().get("status").asText());
    response.body().close();
  }

  @Test
  void answers404ForAnUnknownSagaAnd400ForABadLastEventId() throws Exception {
    assertEquals(404, open("no-such-saga", null).statusCode());
    NodeClient.Response started = api.post("/sagas", "{\"definition\": \"gate\", \"data\": {\"note\": \"bad id\"}}");
    HttpResponse<Stream<String>> bad = open(started.json().get("sagaId").asText(), "yesterday");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().reduce("", String::concat).contains("Last-Event-ID"));
  }

  private static HttpResponse<Stream<String>> open(String sagaId, String lastEventId) throws Exception {
    return ServerSentEvents.open(node.httpPort(), "/sagas/" + sagaId + "/events", lastEventId);
  }

  private static List<Sse> untilEnd(String sagaId, String lastEventId) throws Exception {
    HttpResponse<Stream<String>> response = open(sagaId, lastEventId);
    assertEquals(200, response.statusCode());
    List<Sse> received = new ArrayList<>();
    Iterator<Sse> stream = ServerSentEvents.events(response.body());
    Sse event;
    do {
      event = stream.next();
      received.add(event);
    } while (!event.event().equals("end"));
    response.body().close();
    return received;
  }

  private static List<Sse> steps(List<Sse> events) {
    return events.stream().filter(e -> e.event().equals("step")).toList();
  }

  private static Sse nextStep(Iterator<Sse> stream) {
    Sse event = stream.next();
    assertEquals("step", event.event(), event.toString());
    return event;
  }
}
