package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission control (docs/design.md §5) on a node that admits two sagas at a time: a third start
 * is refused with 429 before anything is stored, readiness says so, and once the two have ended
 * the node admits again.
 */
class AdmissionTest {
  private static final File TRIP_CONF = new File("conf/examples/trip.conf");
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;
  private static Orders orders;

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("admission");
    node = SagaNode.start(TestConfig.node(dataDir.path(),
        ConfigFactory.parseString("saga.admission.max-in-flight = 2").withFallback(ConfigFactory.parseFile(TRIP_CONF))));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void refusesNewSagasWith429WhileTheNodeIsAtCapacityAndAdmitsAgainOnceItsSagasEnd() {
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    // Every charge is applied and its answer lost: the first two sagas keep retrying, in flight.
    orders.setFaults("{\"payment\": {\"timeoutRate\": 1.0}}");
    String first = Orders.uniqueId("o");
    String second = Orders.uniqueId("o");
    assertEquals(202, orders.place(first, customer, sku, 1, 100, "NL").status());
    assertEquals(202, orders.place(second, customer, sku, 1, 100, "NL").status());
    orders.awaitSagaStatus(first, "RUNNING");
    orders.awaitSagaStatus(second, "RUNNING");

    String third = Orders.uniqueId("o");
    NodeClient.Response refused = orders.place(third, customer, sku, 1, 100, "NL");
    assertEquals(429, refused.status(), refused.body());
    assertEquals("1", refused.header("Retry-After"));
    assertEquals(third, refused.text("orderId"), "the refusal names the order, to be placed again");
    assertTrue(refused.text("error").contains("at capacity"), refused.body());
    assertEquals(404, api.get("/orders/" + third).status(), "nothing was stored for the refused order");
    NodeClient.Response trip = api.post("/sagas", "{\"definition\": \"trip\", \"data\": {\"traveller\": \"ada\", "
        + "\"city\": \"Lisbon\", \"nights\": 3, \"flight\": \"TP1234\", \"car\": \"compact\"}}");
    assertEquals(429, trip.status(), "POST /sagas is admitted the same way: " + trip.body());
    assertEquals("1", trip.header("Retry-After"));

    NodeClient.Response ready = api.get("/health/ready");
    assertEquals(503, ready.status(), "a load balancer is told to steer away");
    assertFalse(ready.json().get("checks").get("admitting").asBoolean());
    String metrics = api.get("/metrics").body();
    assertTrue(metrics.contains("saga_running 2.0"), "the two sagas counted as running");
    assertTrue(metrics.contains("saga_admission_refused_total 2.0"), "both refusals counted");
    assertEquals(200, api.get("/orders/" + first).status(), "reads are not refused");

    orders.clearFaults();
    assertEquals("COMPLETED", orders.awaitSettled(first).json().get("sagaStatus").asText());
    assertEquals("COMPLETED", orders.awaitSettled(second).json().get("sagaStatus").asText());
    Eventually.within(Duration.ofSeconds(10), () -> assertEquals(200, api.get("/health/ready").status()));
    NodeClient.Response admitted = orders.place(third, customer, sku, 1, 100, "NL");
    assertEquals(202, admitted.status(), admitted.body());
    JsonNode order = orders.awaitSettled(third).json();
    assertEquals("COMPLETED", order.get("sagaStatus").asText());
    assertEquals(9_700, orders.available(customer), "three orders, each charged once");
  }
}
