package io.sagaorchestrator.order.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the order module's routes. Request fields are boxed so that a missing field
 * can be told apart from a zero and named in the error.
 */
public final class OrderDtos {
  private OrderDtos() {}

  public record PlaceOrderRequest(String orderId, String customerId, List<ItemRequest> items, AddressRequest shippingAddress) {}

  public record ItemRequest(String sku, Integer quantity, Long unitPriceCents) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddressRequest(String country, String city, String street) {}

  public record OrderAccepted(String orderId, String status) {}

  /** A placement that was not accepted, naming the order it concerns so that a client can retry it or read it. */
  public record PlacementRefused(String error, List<String> details, String orderId) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OrderResponse(
      String orderId,
      String customerId,
      List<ItemResponse> items,
      long totalCents,
      AddressRequest shippingAddress,
      String status,
      String sagaStatus,
      String reason,
      String correlationId,
      Instant placedAt) {}

  public record ItemResponse(String sku, int quantity, long unitPriceCents) {}

  /** One event of GET /admin/order-outcomes: the order ended, or its saga parked (status PENDING, sagaStatus PARKED). */
  public record OrderOutcome(String orderId, String status, String sagaStatus, String reason, Instant at) {}

  public record CancelAccepted(String orderId, String sagaStatus) {}

  public record DepositRequest(Long amountCents) {}

  public record RestockRequest(Integer quantity) {}

  /**
   * GET /admin/accounts/{id}: {@code charges} are the orders charged and not refunded (from the
   * read side, by order id, a page of them; {@code chargesNext} is the cursor of the next page).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AccountResponse(String customerId, long depositedCents, long availableCents, Map<String, Long> charges,
      String chargesNext) {}

  /** GET /admin/inventory/{sku}: {@code reservations} as {@code charges} of an account. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ItemViewResponse(String sku, long restocked, long available, Map<String, Long> reservations,
      String reservationsNext) {}

  /** GET /admin/accounts/{id}/ledger and /admin/inventory/{sku}/ledger: the full history, oldest first. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LedgerResponse(String id, List<LedgerLine> entries, String next) {}

  /** {@code amount}: cents for an account, units for a SKU. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LedgerLine(long seq, String kind, String orderId, long amount, String detail, Instant at) {}
}
