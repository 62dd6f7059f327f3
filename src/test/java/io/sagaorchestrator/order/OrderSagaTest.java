package io.sagaorchestrator.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The saga semantics of docs/design.md §3, each proven against a real node: H2 file journal, Cluster
 * Sharding, the fault injector, and HTTP on a loopback port the OS picked. Timeouts, retries and
 * the deadline are {@link OrderSagaTimingTest}'s, on a manual clock.
 */
class OrderSagaTest {
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;
  private static Orders orders;

  private final String customer = Orders.uniqueId("c");
  private final String sku = Orders.uniqueId("s");

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("order-saga");
    node = SagaNode.start(TestConfig.node(dataDir.path()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @AfterEach
  void clearFaults() {
    orders.clearFaults();
  }

  private void seed(long credit, int stock) {
    orders.deposit(customer, credit);
    orders.restock(sku, stock);
  }

  /** The sagas this node holds in memory now, from its shard region. */
  private static Set<String> sagasInMemory() throws Exception {
    ActorSystem<Void> system = node.system();
    ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(SagaEntity.ENTITY_TYPE_KEY, replyTo),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return state.getShards().stream().flatMap(shard -> shard.getEntityIds().stream()).collect(Collectors.toSet());
  }

  private static List<String> historyTypes(JsonNode saga) {
    List<String> types = new ArrayList<>();
    saga.get("history").forEach(entry -> types.add(entry.get("type").asText() + (entry.hasNonNull("step") ? ":" + entry.get("step").asText() : "")));
    return types;
  }

  /** Balances come from the entities at once; what each order holds from the read side, a moment later. */
  private void assertNothingHeld(String orderId) {
    Eventually.within(Duration.ofSeconds(15), () -> {
      JsonNode account = api.adminGet("/admin/accounts/" + customer).json();
      assertEquals(account.get("depositedCents").asLong(), account.get("availableCents").asLong(), "credit conserved: " + account);
      assertTrue(account.get("charges").path(orderId).isMissingNode(), "no charge held: " + account);
      JsonNode item = api.adminGet("/admin/inventory/" + sku).json();
      assertEquals(item.get("restocked").asLong(), item.get("available").asLong(), "stock conserved: " + item);
      assertTrue(item.get("reservations").path(orderId).isMissingNode(), "no reservation held: " + item);
    });
  }

  @Test
  void completesPaymentInventoryAndShippingOnTheHappyPath() {
    seed(10_000, 10);
    String orderId = Orders.uniqueId("o");
    NodeClient.Response accepted = orders.place(orderId, customer, sku, 2, 1250, "NL");
    assertEquals(202, accepted.status());
    assertEquals("PENDING", accepted.text("status"));
    assertEquals("/orders/" + orderId, accepted.header("Location"));
    assertNotNull(accepted.header("X-Correlation-Id"));

    JsonNode order = orders.awaitSettled(orderId).json();
    assertEquals("COMPLETED", order.get("status").asText());
    assertEquals("COMPLETED", order.get("sagaStatus").asText());
    assertEquals(2500, order.get("totalCents").asLong());
    assertEquals(7500, orders.available(customer));
    assertEquals(8, orders.stock(sku));
    JsonNode saga = api.get("/sagas/" + orderId).json();
    assertEquals(List.of("SagaStarted", "StepSucceeded:payment", "StepSucceeded:inventory", "StepSucceeded:shipping", "SagaCompleted"),
        historyTypes(saga));
    assertEquals(accepted.header("X-Correlation-Id"), saga.get("correlationId").asText());
  }

  @Test
  void listsACompletedOrdersChargeAndReservationAfterTheEntitiesForgetTheirRecords() {
    seed(10_000, 10);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 2, 1250, "NL");
    assertEquals("COMPLETED", orders.awaitSettled(orderId).json().get("status").asText());
    // A completed order's charge and reservation are final: the entities forget their records after the
    // grace, and the read side keeps listing what the order holds.
    Eventually.within(Duration.ofSeconds(15), () -> {
      assertEquals(2500, api.adminGet("/admin/accounts/" + customer).json().get("charges").path(orderId).asLong());
      assertEquals(2, api.adminGet("/admin/inventory/" + sku).json().get("reservations").path(orderId).asLong());
    });
    assertEquals(7500, orders.available(customer));
    assertEquals(8, orders.stock(sku));
  }

  @Test
  void rejectsPaymentForInsufficientCreditAndTouchesNothingElse() {
    seed(1_000, 10);
    String orderId = Orders.uniqueId("o");
    assertEquals(202, orders.place(orderId, customer, sku, 2, 1250, "NL").status());
    JsonNode order = orders.awaitSettled(orderId).json();
    assertEquals("CANCELLED", order.get("status").asText());
    assertTrue(order.get("reason").asText().startsWith("payment rejected: insufficient credit"), order.toString());
    JsonNode saga = api.get("/sagas/" + orderId).json();
    assertEquals(List.of("SagaStarted", "StepRejected:payment", "CompensationStarted", "SagaCompensated"), historyTypes(saga),
        "a rejected charge applied nothing: there is nothing to refund");
    assertEquals("REJECTED", saga.get("steps").get(0).get("status").asText());
    assertEquals("PENDING", saga.get("steps").get(1).get("status").asText(), "inventory never ran");
    assertNothingHeld(orderId);
  }

  @Test
  void compensatesPaymentWhenStockReservationIsRejected() {
    seed(10_000, 1);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 2, 1250, "NL");
    JsonNode order = orders.awaitSettled(orderId).json();
    assertEquals("CANCELLED", order.get("status").asText());
    assertTrue(order.get("reason").asText().startsWith("inventory rejected: insufficient stock"), order.toString());
    JsonNode saga = api.get("/sagas/" + orderId).json();
    assertEquals(List.of("SagaStarted", "StepSucceeded:payment", "StepRejected:inventory", "CompensationStarted",
        "StepCompensated:inventory", "StepCompensated:payment", "SagaCompensated"), historyTypes(saga));
    assertEquals("PENDING", saga.get("steps").get(2).get("status").asText(), "shipping never ran");
    assertNothingHeld(orderId);
  }

  @Test
  void releasesStockAndRefundsPaymentWhenTheCountryIsNotServed() {
    seed(10_000, 10);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 2, 1250, "XX");
    JsonNode order = orders.awaitSettled(orderId).json();
    assertEquals("CANCELLED", order.get("status").asText());
    assertEquals("shipping rejected: country XX is not served", order.get("reason").asText());
    JsonNode saga = api.get("/sagas/" + orderId).json();
    assertEquals(List.of("SagaStarted", "StepSucceeded:payment", "StepSucceeded:inventory", "StepRejected:shipping",
        "CompensationStarted", "StepCompensated:inventory", "StepCompensated:payment", "SagaCompensated"),
        historyTypes(saga), "a rejected shipment applied nothing: compensation starts below it");
    assertEquals("REJECTED", saga.get("steps").get(2).get("status").asText());
    assertNothingHeld(orderId);
  }

  @Test
  void answersARepeatedOrderIdWithTheSameOrderAndStartsNothingNew() {
    seed(10_000, 10);
    String orderId = Orders.uniqueId("o");
    assertEquals(202, orders.place(orderId, customer, sku, 1, 100, "NL").status());
    NodeClient.Response repeat = orders.place(orderId, customer, sku, 1, 100, "NL");
    assertEquals(202, repeat.status());
    assertEquals(orderId, repeat.text("orderId"));
    orders.awaitSettled(orderId);
    NodeClient.Response afterEnd = orders.place(orderId, customer, sku, 1, 100, "NL");
    assertEquals(202, afterEnd.status());
    assertEquals("COMPLETED", afterEnd.text("status"));
    assertEquals(9_900, orders.available(customer), "charged once");
    assertEquals(1, historyTypes(api.get("/sagas/" + orderId).json()).stream().filter("SagaStarted"::equals).count());

    NodeClient.Response conflict = orders.place(orderId, customer, sku, 5, 100, "NL");
    assertEquals(409, conflict.status());
    assertTrue(conflict.text("error").contains("different body"));
    assertEquals(orderId, conflict.text("orderId"), "the refusal names the order it concerns");
    assertEquals("/orders/" + orderId, conflict.header("Location"));
  }

  @Test
  void holdsAnIdempotencyKeySentWithAnOrderIdToThatOrder() {
    seed(10_000, 10);
    String key = Orders.uniqueId("key");
    String orderId = Orders.uniqueId("o");
    String body = Orders.orderJson(orderId, customer, sku, 1, 100, "NL");
    assertEquals(202, api.post("/orders", body, "Idempotency-Key", key).status());
    NodeClient.Response again = api.post("/orders", body, "Idempotency-Key", key);
    assertEquals(202, again.status(), "the same key and body again: the same order");
    assertEquals(orderId, again.text("orderId"));

    String otherId = Orders.uniqueId("o");
    NodeClient.Response otherOrder = api.post("/orders", Orders.orderJson(otherId, customer, sku, 1, 100, "NL"), "Idempotency-Key", key);
    assertEquals(409, otherOrder.status(), "the key is taken, whichever order id the retry names");
    assertEquals(orderId, otherOrder.text("orderId"));
    assertEquals("/orders/" + orderId, otherOrder.header("Location"));
    assertEquals(404, api.get("/orders/" + otherId).status(), "no second order");
    orders.awaitSettled(orderId);
    assertEquals(9_900, orders.available(customer), "charged once");
  }

  @Test
  void aClientThatDropsItsConnectionsMidRequestAndRetriesMakesOneOrder() throws Exception {
    seed(10_000, 10);
    String key = Orders.uniqueId("key");
    byte[] body = Orders.orderJson(null, customer, sku, 1, 100, "NL").getBytes(StandardCharsets.UTF_8);
    String head = "POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nIdempotency-Key: " + key
        + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    // Dropped before the body was all sent: the node never had a request.
    try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body, 0, body.length / 2);
      socket.getOutputStream().flush();
    }
    // Dropped after the whole request, before the answer: the order may or may not be placed.
    for (int i = 0; i < 3; i++) {
      try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        socket.getOutputStream().flush();
      }
    }
    NodeClient.Response retried = api.post("/orders", new String(body, StandardCharsets.UTF_8), "Idempotency-Key", key);
    assertEquals(202, retried.status(), retried.body());
    String orderId = retried.text("orderId");
    orders.awaitSettled(orderId);
    assertEquals(9_900, orders.available(customer), "one order, charged once");
    assertEquals(9, orders.stock(sku), "one item reserved");
  }

  @Test
  void answersARepeatedIdempotencyKeyWithTheSameOrder() {
    seed(10_000, 10);
    String body = Orders.orderJson(null, customer, sku, 1, 100, "NL");
    String key = Orders.uniqueId("key");
    NodeClient.Response first = api.post("/orders", body, "Idempotency-Key", key);
    NodeClient.Response second = api.post("/orders", body, "Idempotency-Key", key);
    assertEquals(202, first.status());
    assertEquals(202, second.status());
    assertEquals(first.text("orderId"), second.text("orderId"));
    orders.awaitSettled(first.text("orderId"));
    assertEquals(9_900, orders.available(customer), "one order, charged once");
    NodeClient.Response otherBody = api.post("/orders", Orders.orderJson(null, customer, sku, 2, 100, "NL"), "Idempotency-Key", key);
    assertEquals(409, otherBody.status());
    assertEquals(first.text("orderId"), otherBody.text("orderId"), "names the order the key made, which the client never sent");
  }

  @Test
  void cancelsARunningOrderAndCompensatesWhatWasApplied() {
    seed(10_000, 10);
    // Slow payment keeps the saga in flight; the charge may land before or after the refund.
    orders.setFaults("{\"payment\": {\"latencyMs\": 300}}");
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "NL");
    NodeClient.Response cancel = api.post("/orders/" + orderId + "/cancel", "");
    assertEquals(202, cancel.status());
    JsonNode order = orders.awaitSettled(orderId).json();
    assertEquals("CANCELLED", order.get("status").asText());
    assertEquals("cancelled by client", order.get("reason").asText());
    orders.clearFaults();
    Eventually.within(Duration.ofSeconds(5), () -> assertNothingHeld(orderId));
    assertEquals(409, api.post("/orders/" + orderId + "/cancel", "").status(), "already cancelled");
  }

  @Test
  void refusesToCancelACompletedOrder() {
    seed(10_000, 10);
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "NL");
    orders.awaitSettled(orderId);
    NodeClient.Response cancel = api.post("/orders/" + orderId + "/cancel", "");
    assertEquals(409, cancel.status());
    assertEquals("order " + orderId + " is already completed", cancel.text("error"));
    assertEquals(404, api.post("/orders/" + Orders.uniqueId("missing") + "/cancel", "").status());
  }

  @Test
  void parksASagaWhoseCompensationKeepsFailingAndResumesItOnOperatorRetry() {
    seed(10_000, 10);
    // Shipping fails every attempt, and so does its compensation: the budget runs out.
    orders.setFaults("{\"shipping\": {\"failureRate\": 1.0}}");
    String orderId = Orders.uniqueId("o");
    orders.place(orderId, customer, sku, 1, 100, "NL");
    orders.awaitSagaStatus(orderId, "PARKED");
    JsonNode parked = api.get("/orders/" + orderId).json();
    assertEquals("PENDING", parked.get("status").asText());
    assertEquals("PARKED", parked.get("sagaStatus").asText());
    Eventually.within(Duration.ofSeconds(10),
        () -> assertFalse(sagasInMemory().contains(orderId), "a parked saga leaves memory like an ended one"));

    assertEquals(401, api.post("/sagas/" + orderId + "/retry", "").status(), "operator only");
    orders.clearFaults();
    NodeClient.Response retry = api.adminPost("/sagas/" + orderId + "/retry", "");
    assertEquals(202, retry.status());
    JsonNode order = orders.awaitSettled(orderId).json();
    assertEquals("CANCELLED", order.get("status").asText());
    assertTrue(historyTypes(api.get("/sagas/" + orderId).json()).contains("SagaResumed"));
    assertNothingHeld(orderId);
    assertEquals(409, api.adminPost("/sagas/" + orderId + "/retry", "").status(), "only a PARKED saga can be retried");
  }
}
