package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.infra.cluster.SagaNode;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.testsupport.ApiClient;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Semantic 8/10: a node stopped mid-saga and started again on the same H2 file finishes its sagas by itself. */
class NodeRestartTest {

  private static int completedEvents(JournalConfig journal, String sagaId) throws Exception {
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        PreparedStatement query = connection.prepareStatement(
            "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"event_ser_manifest\" LIKE ?")) {
      query.setString(1, "Saga|" + sagaId);
      query.setString(2, "%SagaCompleted");
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  @Test
  void finishesInFlightSagasAfterARestartWithNoClientAction() throws Exception {
    try (DataDir dataDir = new DataDir("restart")) {
      String customer = Orders.uniqueId("c");
      String sku = Orders.uniqueId("s");
      String inFlight = Orders.uniqueId("o");
      String completed = Orders.uniqueId("o");
      // The first run's shipping always fails transiently (with a retry budget that outlasts the test),
      // so its saga is parked on the shipping step, mid-flight, when the node stops.
      String stuckShipping = """
          saga.faults.shipping.failure-rate = 1.0
          saga.order-saga.shipping.max-attempts = 100000
          """;
      try (SagaNode first = SagaNode.start(TestConfig.node(dataDir.path(), stuckShipping))) {
        ApiClient api = new ApiClient(first.httpPort(), first.adminToken());
        Orders orders = new Orders(api);
        orders.deposit(customer, 10_000);
        orders.restock(sku, 10);
        assertEquals(202, orders.place(inFlight, customer, sku, 2, 1_000, "NL").status());
        Eventually.within(Duration.ofSeconds(10), () -> {
          JsonNode shipping = api.get("/sagas/" + inFlight).json().get("steps").get(2);
          assertEquals("RUNNING", shipping.get("status").asText());
          assertTrue(shipping.get("attempts").asInt() >= 1);
        });
        assertEquals(8_000, orders.available(customer));
      }

      try (SagaNode second = SagaNode.start(TestConfig.node(dataDir.path()))) {
        ApiClient api = new ApiClient(second.httpPort(), second.adminToken());
        Orders orders = new Orders(api);
        // Nobody asks about the saga: the remembered entity wakes and resumes it. Read the
        // journal itself, since a GET would wake the saga too.
        JournalConfig journal = JournalConfig.from(TestConfig.node(dataDir.path()));
        Eventually.within(Orders.SAGA_DEADLINE, () -> assertEquals(1, completedEvents(journal, inFlight)));
        orders.awaitSagaStatus(inFlight, "COMPLETED");
        JsonNode order = api.get("/orders/" + inFlight).json();
        assertEquals("COMPLETED", order.get("status").asText());
        assertEquals(8_000, orders.available(customer), "charged exactly once across the restart");
        assertEquals(8, orders.stock(sku), "reserved exactly once across the restart");
        JsonNode steps = api.get("/sagas/" + inFlight).json().get("steps");
        assertEquals("SUCCEEDED", steps.get(0).get("status").asText());
        assertEquals(1, steps.get(0).get("attempts").asInt(), "payment was not re-run");

        assertEquals(202, orders.place(completed, customer, sku, 1, 1_000, "NL").status());
        orders.awaitSagaStatus(completed, "COMPLETED");
      }

      try (SagaNode third = SagaNode.start(TestConfig.node(dataDir.path()))) {
        ApiClient api = new ApiClient(third.httpPort(), third.adminToken());
        assertEquals("COMPLETED", api.get("/orders/" + inFlight).text("status"));
        assertEquals("COMPLETED", api.get("/orders/" + completed).text("status"));
        assertEquals(7_000, new Orders(api).available(customer));
      }
    }
  }
}
