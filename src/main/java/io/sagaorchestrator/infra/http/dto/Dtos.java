package io.sagaorchestrator.infra.http.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the HTTP API. Request fields are boxed so that a missing field can be told
 * apart from a zero and named in the error.
 */
public final class Dtos {
  private Dtos() {}

  public record PlaceOrderRequest(String orderId, String customerId, List<ItemRequest> items, AddressRequest shippingAddress) {}

  public record ItemRequest(String sku, Integer quantity, Long unitPriceCents) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AddressRequest(String country, String city, String street) {}

  public record OrderAccepted(String orderId, String status) {}

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

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SagaResponse(
      String sagaId,
      String definition,
      int definitionVersion,
      String status,
      String correlationId,
      Instant startedAt,
      Instant endedAt,
      String reason,
      List<StepResponse> steps,
      List<HistoryResponse> history) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StepResponse(String name, String status, int attempts, String lastError, int compensationAttempts) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HistoryResponse(long seq, Instant at, String type, String step, String detail) {}

  public record DepositRequest(Long amountCents) {}

  public record RestockRequest(Integer quantity) {}

  public record AccountResponse(String customerId, long depositedCents, long availableCents, Map<String, Long> charges) {}

  public record ItemViewResponse(String sku, long restocked, long available, Map<String, Integer> reservations) {}

  public record FaultsRequest(Long seed, ParticipantFaultsRequest payment, ParticipantFaultsRequest inventory, ParticipantFaultsRequest shipping) {}

  public record ParticipantFaultsRequest(Double failureRate, Double timeoutRate, Long latencyMs) {}

  public record HealthResponse(String status, Map<String, Boolean> checks) {}

  public record ErrorResponse(String error, List<String> details) {}
}
