package io.sagaorchestrator.order.http;

import io.sagaorchestrator.infra.http.Admission;
import io.sagaorchestrator.infra.http.BearerToken;
import io.sagaorchestrator.infra.http.Failures;
import io.sagaorchestrator.infra.http.HttpJson;
import io.sagaorchestrator.infra.http.IdempotencyKey;
import io.sagaorchestrator.infra.http.IdempotentAsk;
import io.sagaorchestrator.infra.http.LongPoll;
import io.sagaorchestrator.infra.http.ReadSideFirst;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.order.readside.OrderQueries;
import static akka.http.javadsl.server.PathMatchers.segment;
import static io.sagaorchestrator.infra.http.PathIds.withValidId;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import io.sagaorchestrator.orchestrator.AskFailures;
import io.sagaorchestrator.orchestrator.Ids;
import io.sagaorchestrator.order.domain.OrderData;
import io.sagaorchestrator.order.domain.OrderLine;
import io.sagaorchestrator.order.domain.OrderValidation;
import io.sagaorchestrator.order.domain.ShippingAddress;
import io.sagaorchestrator.order.http.OrderDtos.AddressRequest;
import io.sagaorchestrator.order.http.OrderDtos.CancelAccepted;
import io.sagaorchestrator.order.http.OrderDtos.ItemRequest;
import io.sagaorchestrator.order.http.OrderDtos.ItemResponse;
import io.sagaorchestrator.order.http.OrderDtos.OrderAccepted;
import io.sagaorchestrator.order.http.OrderDtos.OrderResponse;
import io.sagaorchestrator.order.http.OrderDtos.PlaceOrderRequest;
import io.sagaorchestrator.order.http.OrderDtos.PlacementRefused;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.order.OrderEntity;
import io.sagaorchestrator.order.OrderStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code /orders}: place, read and cancel orders. */
public final class OrderRoutes extends AllDirectives {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  private static final String KEY_SCOPE = "orders";
  private static final int MAX_IDEMPOTENCY_KEY = 200;
  /** The order is stored and its saga is being started. */
  private static final String NOT_STARTED = "NOT_STARTED";

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ReadSide readSide;
  private final Optional<OrderQueries> queries;
  private final Admission admission;
  private final BearerToken clientAccess;
  private final Duration askTimeout;
  private final int askAttempts;

  public OrderRoutes(ActorSystem<?> system, ReadSide readSide, Optional<OrderQueries> queries, Admission admission,
      BearerToken clientAccess, Duration askTimeout, int askAttempts) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.readSide = readSide;
    this.queries = queries;
    this.admission = admission;
    this.clientAccess = clientAccess;
    this.askTimeout = askTimeout;
    this.askAttempts = askAttempts;
  }

  public Route route(String correlationId) {
    return pathPrefix("orders", () -> concat(
        pathEndOrSingleSlash(() -> post(() -> optionalHeaderValueByName(IDEMPOTENCY_KEY, key ->
            entity(Unmarshaller.entityToString(), body -> completeWithFuture(place(body, key, correlationId)))))),
        path(segment(), orderId -> get(() -> clientAccess.required(() -> parameterOptional("waitMs", waitMs ->
            completeWithFuture(withValidId(orderId, id -> read(id, LongPoll.waitFor(waitMs)))))))),
        path(segment().slash("cancel"), orderId -> post(() -> clientAccess.required(() ->
            completeWithFuture(withValidId(orderId, this::cancel)))))));
  }

  private CompletionStage<HttpResponse> place(String body, Optional<String> idempotencyKey, String correlationId) {
    PlaceOrderRequest request = HttpJson.read(body, PlaceOrderRequest.class);
    if (idempotencyKey.isPresent() && (idempotencyKey.get().isBlank() || idempotencyKey.get().length() > MAX_IDEMPOTENCY_KEY)) {
      throw new HttpJson.BadRequest(IDEMPOTENCY_KEY + ": must be 1-" + MAX_IDEMPOTENCY_KEY + " characters", List.of(IDEMPOTENCY_KEY));
    }
    OrderData order = toOrder(request, idempotencyKey);
    List<String> problems = OrderValidation.problems(order);
    if (!problems.isEmpty()) throw new HttpJson.BadRequest(problems.get(0), problems);
    if (order.totalCents() < 0) throw new HttpJson.BadRequest("items: order total is too large", List.of("items"));
    return admission.admitting(
        () -> admission.refusal(new PlacementRefused(admission.message(), List.of(), order.orderId())),
        () -> placeAdmitted(order, idempotencyKey, correlationId));
  }

  /**
   * Placing is idempotent (same id, same body), so a lost or unconfirmed attempt is simply
   * repeated. An {@code Idempotency-Key} is claimed first, for this order and its body: the same
   * key with another body (another order id included) is a 409 naming the order that has it.
   */
  private CompletionStage<HttpResponse> placeAdmitted(OrderData order, Optional<String> idempotencyKey, String correlationId) {
    return IdempotencyKey.claim(system, KEY_SCOPE, idempotencyKey, order.orderId(), order, askTimeout, askAttempts)
        .thenCompose(reply -> reply instanceof IdempotencyKey.Conflict conflict
            ? CompletableFuture.completedFuture(conflict(conflict.resourceId(),
                IDEMPOTENCY_KEY + ": already used for order " + conflict.resourceId() + " with another body"))
            : placeOrder(order, idempotencyKey, correlationId))
        .exceptionally(error -> {
          if (!AskFailures.isTimeout(error)) throw Failures.asCompletion(error);
          return refused(StatusCodes.SERVICE_UNAVAILABLE, order.orderId(), "timed out waiting for the cluster; retry");
        });
  }

  private CompletionStage<HttpResponse> placeOrder(OrderData order, Optional<String> idempotencyKey, String correlationId) {
    return IdempotentAsk.retrying(askAttempts,
            () -> sharding.entityRefFor(OrderEntity.ENTITY_TYPE_KEY, order.orderId())
                .<OrderEntity.PlaceOrderReply>ask(replyTo -> new OrderEntity.PlaceOrder(order, idempotencyKey.orElse(null), correlationId, replyTo),
                    askTimeout),
            reply -> reply instanceof OrderEntity.Unavailable)
        .thenCompose(reply -> answerPlacement(order.orderId(), reply));
  }

  private CompletionStage<HttpResponse> answerPlacement(String orderId, OrderEntity.PlaceOrderReply reply) {
    if (reply instanceof OrderEntity.Accepted accepted) {
      if (accepted.created()) return CompletableFuture.completedFuture(accepted(orderId, "PENDING"));
      return sagaStatus(orderId).thenApply(status -> accepted(orderId, OrderStatus.of(status)));
    }
    if (reply instanceof OrderEntity.Conflict conflict) {
      return CompletableFuture.completedFuture(conflict(orderId, conflict.message()));
    }
    String message = ((OrderEntity.Unavailable) reply).message();
    return CompletableFuture.completedFuture(refused(StatusCodes.SERVICE_UNAVAILABLE, orderId, message));
  }

  /**
   * A 409 or 503 names the order id, which the server may have made up (from the idempotency key,
   * or at random): a client that did not send one learns what to retry with, or to read.
   */
  private static HttpResponse refused(StatusCode status, String orderId, String message) {
    return HttpJson.response(status, new PlacementRefused(message, List.of(), orderId));
  }

  /** A 409 about the order that holds the id or the key: {@code Location} points at it. */
  private static HttpResponse conflict(String orderId, String message) {
    return refused(StatusCodes.CONFLICT, orderId, message).addHeader(Location.create("/orders/" + orderId));
  }

  private static HttpResponse accepted(String orderId, String status) {
    return HttpJson.response(StatusCodes.ACCEPTED, new OrderAccepted(orderId, status))
        .addHeader(Location.create("/orders/" + orderId));
  }

  /** Missing fields are named here; values are checked by {@link OrderValidation}. */
  private static OrderData toOrder(PlaceOrderRequest request, Optional<String> idempotencyKey) {
    List<String> missing = new ArrayList<>();
    if (request.customerId() == null) missing.add("customerId: required");
    if (request.items() == null) missing.add("items: required");
    if (request.shippingAddress() == null) missing.add("shippingAddress: required");
    List<OrderLine> lines = new ArrayList<>();
    List<ItemRequest> items = request.items() == null ? List.of() : request.items();
    for (int i = 0; i < items.size(); i++) {
      ItemRequest item = items.get(i);
      if (item == null) {
        missing.add("items[" + i + "]: must be an object");
        continue;
      }
      if (item.sku() == null) missing.add("items[" + i + "].sku: required");
      if (item.quantity() == null) missing.add("items[" + i + "].quantity: required");
      if (item.unitPriceCents() == null) missing.add("items[" + i + "].unitPriceCents: required");
      if (item.sku() != null && item.quantity() != null && item.unitPriceCents() != null) {
        lines.add(new OrderLine(item.sku(), item.quantity(), item.unitPriceCents()));
      }
    }
    if (!missing.isEmpty()) throw new HttpJson.BadRequest(missing.get(0), missing);
    AddressRequest address = request.shippingAddress();
    String orderId = request.orderId() != null ? request.orderId() : idempotencyKey
        .map(key -> "o-" + UUID.nameUUIDFromBytes(("idempotency-key:" + key).getBytes(StandardCharsets.UTF_8)))
        .orElseGet(() -> "o-" + UUID.randomUUID());
    return new OrderData(orderId, request.customerId(), lines, new ShippingAddress(address.country(), address.city(), address.street()));
  }

  private CompletionStage<OrderEntity.PlacedOrder> placedOrder(String orderId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(OrderEntity.ENTITY_TYPE_KEY, orderId)
        .askWithStatus(OrderEntity.GetOrder::new, askTimeout));
  }

  /** An order whose saga has ended is answered from the read side, without waking the order or its saga. */
  private CompletionStage<HttpResponse> read(String orderId, Duration wait) {
    return endedOrder(orderId).thenCompose(ended -> {
      if (ended.isPresent()) return CompletableFuture.completedFuture(HttpJson.ok(ended.get()));
      return placedOrder(orderId)
          .thenCompose(placed -> settledSummary(orderId, wait).thenApply(saga -> HttpJson.ok(toResponse(placed, saga))))
          .exceptionally(error -> Failures.notFoundOr(error, "order " + orderId + " not found"));
    });
  }

  private CompletionStage<Optional<OrderResponse>> endedOrder(String orderId) {
    if (queries.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
    return ReadSideFirst.ended(readSide, orderId).thenCompose(saga -> saga.isEmpty()
        ? CompletableFuture.completedFuture(Optional.<OrderResponse>empty())
        : queries.get().placed(orderId)
            .thenApply(placed -> placed.map(order -> toResponse(order, saga)))
            .exceptionally(error -> Optional.empty()));
  }

  /** The saga once it has settled, or as it is when {@code wait} is up (or zero). */
  private CompletionStage<Optional<SagaEntity.Summary>> settledSummary(String orderId, Duration wait) {
    if (wait.isZero()) return sagaSummary(orderId);
    return sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, orderId)
        .askWithStatus(SagaEntity.AwaitSettled::new, wait)
        .thenApply(Optional::of)
        .exceptionallyCompose(error -> sagaSummary(orderId));
  }

  private CompletionStage<HttpResponse> cancel(String orderId) {
    return placedOrder(orderId)
        .thenCompose(placed -> IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, orderId)
            .<SagaEntity.ControlReply>ask(replyTo -> new SagaEntity.CancelSaga("cancelled by client", replyTo), askTimeout)))
        .thenApply(reply -> switch (reply.result()) {
          case ACCEPTED -> HttpJson.response(StatusCodes.ACCEPTED, new CancelAccepted(orderId, reply.status().name()));
          case CONFLICT -> HttpJson.error(StatusCodes.CONFLICT,
              "order " + orderId + " is already " + OrderStatus.of(reply.status()).toLowerCase(java.util.Locale.ROOT));
          case NOT_FOUND -> HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE, "order " + orderId + " has no saga yet; retry");
        })
        .exceptionally(error -> Failures.notFoundOr(error, "order " + orderId + " not found"));
  }

  private CompletionStage<Optional<SagaEntity.Summary>> sagaSummary(String orderId) {
    return IdempotentAsk.retrying(askAttempts, () -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, orderId)
            .askWithStatus(SagaEntity.GetSaga::new, askTimeout))
        .thenApply(Optional::of)
        .exceptionally(error -> {
          if (Failures.isStatusError(error)) return Optional.empty();
          throw Failures.asCompletion(error);
        });
  }

  private CompletionStage<SagaEntity.SagaStatus> sagaStatus(String orderId) {
    return sagaSummary(orderId).thenApply(summary -> summary.map(SagaEntity.Summary::status).orElse(SagaEntity.SagaStatus.RUNNING));
  }

  private static OrderResponse toResponse(OrderEntity.PlacedOrder placed, Optional<SagaEntity.Summary> saga) {
    OrderData order = placed.order();
    ShippingAddress address = order.shippingAddress();
    return new OrderResponse(
        order.orderId(),
        order.customerId(),
        order.items().stream().map(line -> new ItemResponse(line.sku(), line.quantity(), line.unitPriceCents())).toList(),
        order.totalCents(),
        new AddressRequest(address.country(), address.city(), address.street()),
        saga.map(s -> OrderStatus.of(s.status())).orElse("PENDING"),
        saga.map(s -> s.status().name()).orElse(NOT_STARTED),
        saga.map(SagaEntity.Summary::reason).orElse(null),
        placed.correlationId(),
        placed.placedAt());
  }
}
