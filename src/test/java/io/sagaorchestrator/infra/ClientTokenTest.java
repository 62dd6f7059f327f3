package io.sagaorchestrator.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Orders;
import io.sagaorchestrator.testsupport.TestConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code saga.http.client-token} set, reading and cancelling an order need it (or the admin token). */
class ClientTokenTest {
  private static final String CLIENT_TOKEN = "client-secret-1";
  private static DataDir dataDir;
  private static SagaNode node;
  private static NodeClient api;
  private static Orders orders;

  @BeforeAll
  static void startNode() throws Exception {
    dataDir = new DataDir("client-token");
    node = SagaNode.start(TestConfig.node(dataDir.path(), "saga.http.client-token = \"" + CLIENT_TOKEN + "\""));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
    orders = new Orders(api);
  }

  @AfterAll
  static void stopNode() {
    node.close();
    dataDir.close();
  }

  @Test
  void readingAndCancellingAnOrderNeedTheClientToken() {
    String customer = Orders.uniqueId("c");
    String sku = Orders.uniqueId("s");
    orders.deposit(customer, 10_000);
    orders.restock(sku, 10);
    String orderId = Orders.uniqueId("o");
    assertEquals(202, orders.place(orderId, customer, sku, 1, 100, "NL").status(), "placing stays open");

    NodeClient.Response anonymous = api.get("/orders/" + orderId);
    assertEquals(401, anonymous.status());
    assertFalse(anonymous.body().contains(CLIENT_TOKEN), "a refusal never shows the token");
    assertEquals(401, api.get("/orders/" + orderId, "Authorization", "Bearer not-the-token").status());
    assertEquals(401, api.post("/orders/" + orderId + "/cancel", "").status());
    assertEquals(200, api.get("/orders/" + orderId, "Authorization", "Bearer " + CLIENT_TOKEN).status());
    assertEquals(200, api.adminGet("/orders/" + orderId).status(), "the admin token opens them too");
    int cancel = api.post("/orders/" + orderId + "/cancel", "", "Authorization", "Bearer " + CLIENT_TOKEN).status();
    assertFalse(cancel == 401, "the cancel is let through to the order: " + cancel);
  }
}
