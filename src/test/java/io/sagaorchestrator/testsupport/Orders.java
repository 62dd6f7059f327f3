package io.sagaorchestrator.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sagaorchestrator.client.NodeClient;
import java.time.Duration;
import java.util.UUID;

/** The steps every order test repeats: seed a customer and a SKU, place an order, wait for its end. */
public final class Orders {
  public static final Duration SAGA_DEADLINE = Duration.ofSeconds(30);
  private final NodeClient api;

  public Orders(NodeClient api) {
    this.api = api;
  }

  public static String uniqueId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public void deposit(String customerId, long cents) {
    assertEquals(200, api.adminPost("/admin/accounts/" + customerId + "/deposit", "{\"amountCents\": " + cents + "}").status());
  }

  public void restock(String sku, int quantity) {
    assertEquals(200, api.adminPost("/admin/inventory/" + sku + "/restock", "{\"quantity\": " + quantity + "}").status());
  }

  public static String orderJson(String orderId, String customerId, String sku, int quantity, long unitPriceCents, String country) {
    return """
        {%s"customerId": "%s", "items": [{"sku": "%s", "quantity": %d, "unitPriceCents": %d}],
         "shippingAddress": {"country": "%s", "city": "Utrecht", "street": "Main 1"}}"""
        .formatted(orderId == null ? "" : "\"orderId\": \"" + orderId + "\", ", customerId, sku, quantity, unitPriceCents, country);
  }

  public NodeClient.Response place(String orderId, String customerId, String sku, int quantity, long unitPriceCents, String country) {
    return api.post("/orders", orderJson(orderId, customerId, sku, quantity, unitPriceCents, country));
  }

  /** Waits until the saga has ended (COMPLETED, COMPENSATED) or is PARKED, and returns the order. */
  public NodeClient.Response awaitSettled(String orderId) {
    Eventually.within(SAGA_DEADLINE, () -> {
      String status = api.get("/sagas/" + orderId).text("status");
      if (!"COMPLETED".equals(status) && !"COMPENSATED".equals(status) && !"PARKED".equals(status)) {
        throw new AssertionError("saga " + orderId + " is still " + status);
      }
    });
    return api.get("/orders/" + orderId);
  }

  public void awaitSagaStatus(String sagaId, String expected) {
    Eventually.within(SAGA_DEADLINE, () -> assertEquals(expected, api.get("/sagas/" + sagaId).text("status")));
  }

  public long available(String customerId) {
    return api.adminGet("/admin/accounts/" + customerId).json().get("availableCents").asLong();
  }

  public long stock(String sku) {
    return api.adminGet("/admin/inventory/" + sku).json().get("available").asLong();
  }

  public String shipmentStatusOf(String orderId) {
    return api.get("/sagas/" + orderId).json().get("steps").get(2).get("status").asText();
  }

  public void setFaults(String json) {
    assertEquals(200, api.adminPut("/admin/faults", json).status());
  }

  public void clearFaults() {
    setFaults("{}");
  }
}
