package io.sagaorchestrator.infra.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.StepOutcome;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.shipping.Shipment;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The audit of docs/design.md §4 against a real node. The audit covers the whole journal, so each
 * test gets a node of its own: a violation planted by one test must not fail another.
 */
class AuditTest {
  private static final Duration ASK = Duration.ofSeconds(5);

  private DataDir dataDir;
  private SagaNode node;
  private NodeClient api;
  private Orders orders;
  private final String customer = Orders.uniqueId("c");
  private final String sku = Orders.uniqueId("s");

  @BeforeEach
  void startNode() throws Exception {
    dataDir = new DataDir("audit");
    node = SagaNode.start(TestConfig.node(dataDir.path()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
    orders.deposit(customer, 100_000);
    orders.restock(sku, 100);
  }

  @AfterEach
  void stopNode() {
    node.close();
    dataDir.close();
  }

  /** Places an order and waits for its saga to end; returns the order id. */
  private String settledOrder(int quantity, long unitPriceCents, String country) {
    String orderId = Orders.uniqueId("o");
    assertEquals(202, orders.place(orderId, customer, sku, quantity, unitPriceCents, country).status());
    orders.awaitSettled(orderId);
    return orderId;
  }

  private JsonNode audit() {
    NodeClient.Response response = api.adminGet("/admin/audit");
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  private static List<String> violations(JsonNode audit) {
    List<String> violations = new ArrayList<>();
    audit.get("violations").forEach(v -> violations.add(v.asText()));
    return violations;
  }

  private int auditCommand(StringWriter output) {
    return new CommandLine(new AuditCommand()).setOut(new PrintWriter(output)).setErr(new PrintWriter(output))
        .execute("--url", "http://127.0.0.1:" + node.httpPort(), "--token", node.adminToken());
  }

  @Test
  void passesOnACleanRunOfCompletedAndCompensatedOrders() {
    for (int i = 0; i < 3; i++) assertEquals("COMPLETED", api.get("/orders/" + settledOrder(2, 1_000, "NL")).text("status"));
    String unserved = settledOrder(1, 1_000, "XX");
    String tooMany = settledOrder(150, 10, "NL"); // more than the 100 in stock: refused at inventory
    assertEquals("CANCELLED", api.get("/orders/" + unserved).text("status"));
    assertEquals("CANCELLED", api.get("/orders/" + tooMany).text("status"));

    JsonNode audit = audit();
    assertTrue(audit.get("ok").asBoolean(), "clean run: " + audit);
    assertEquals(List.of(), violations(audit));
    assertEquals(3, audit.get("orders").get("COMPLETED").asLong(), audit.toString());
    assertEquals(2, audit.get("orders").get("CANCELLED").asLong(), audit.toString());
    assertEquals(0, audit.get("orders").get("PENDING").asLong(), audit.toString());
    assertEquals(3, audit.get("sagas").get("COMPLETED").asLong(), audit.toString());
    assertEquals(2, audit.get("sagas").get("COMPENSATED").asLong(), audit.toString());
    assertEquals(0, audit.get("sagas").get("RUNNING").asLong(), audit.toString());
    assertTrue(audit.get("eventsRead").asLong() > 0, audit.toString());
    assertTrue(audit.has("checkedAt") && audit.has("durationMs"), audit.toString());

    StringWriter output = new StringWriter();
    assertEquals(0, auditCommand(output), output.toString());
    assertTrue(output.toString().contains("audit ok"), output.toString());
  }

  @Test
  void needsTheAdminToken() {
    assertEquals(401, api.get("/admin/audit").status());
  }

  @Test
  void catchesAChargeHeldForACancelledOrder() throws Exception {
    settledOrder(2, 1_000, "NL");
    String cancelled = settledOrder(1, 1_000, "XX");
    assertTrue(audit().get("ok").asBoolean());

    // Planted straight into the participant, past the saga: a charge nobody will ever refund.
    StepOutcome planted = ClusterSharding.get(node.system()).entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, customer)
        .<StepOutcome>ask(replyTo -> new PaymentAccount.Charge(cancelled, 1_000, "planted-" + UUID.randomUUID(), Instant.now().plusSeconds(30), replyTo), ASK)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(StepOutcome.Succeeded.class, planted);

    JsonNode audit = audit();
    assertFalse(audit.get("ok").asBoolean(), audit.toString());
    List<String> violations = violations(audit);
    assertTrue(violations.stream().anyMatch(v -> v.contains("customer " + customer) && v.contains("order " + cancelled)
        && v.contains("CANCELLED")), violations.toString());
    assertTrue(violations.stream().anyMatch(v -> v.contains("customer " + customer) && v.contains("deposited")), violations.toString());
    assertEquals(violations.size(), audit.get("violationCount").asLong());

    StringWriter output = new StringWriter();
    assertEquals(1, auditCommand(output), output.toString());
    assertTrue(output.toString().contains(cancelled), output.toString());
  }

  @Test
  void catchesAReservationAndAShipmentHeldForACancelledOrder() throws Exception {
    // Refused at payment: inventory and shipping never heard of this order.
    String refused = settledOrder(1, 1_000_000, "NL");
    assertEquals("CANCELLED", api.get("/orders/" + refused).text("status"));
    assertTrue(audit().get("ok").asBoolean());

    ClusterSharding sharding = ClusterSharding.get(node.system());
    StepOutcome reserved = sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, sku)
        .<StepOutcome>ask(replyTo -> new InventoryItem.ReserveStock(refused, 3, "planted-" + UUID.randomUUID(), Instant.now().plusSeconds(30), replyTo), ASK)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(StepOutcome.Succeeded.class, reserved);
    StepOutcome shipped = sharding.entityRefFor(Shipment.ENTITY_TYPE_KEY, refused)
        .<StepOutcome>ask(replyTo -> new Shipment.ScheduleShipment("NL", "Utrecht", "Main 1", "planted-" + UUID.randomUUID(), replyTo), ASK)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(StepOutcome.Succeeded.class, shipped);

    List<String> violations = violations(audit());
    assertTrue(violations.stream().anyMatch(v -> v.contains("sku " + sku) && v.contains("order " + refused) && v.contains("CANCELLED")),
        violations.toString());
    assertTrue(violations.stream().anyMatch(v -> v.contains("order " + refused) && v.contains("active shipment")), violations.toString());
  }
}
