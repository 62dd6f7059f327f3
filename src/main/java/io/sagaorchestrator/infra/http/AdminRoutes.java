package io.sagaorchestrator.infra.http;

import io.sagaorchestrator.orchestrator.AskFailures;
import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import io.sagaorchestrator.infra.http.dto.Dtos.AccountResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.DepositRequest;
import io.sagaorchestrator.infra.http.dto.Dtos.FaultsRequest;
import io.sagaorchestrator.infra.http.dto.Dtos.ItemViewResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.ParticipantFaultsRequest;
import io.sagaorchestrator.infra.http.dto.Dtos.RestockRequest;
import io.sagaorchestrator.participants.OrderParticipants;
import io.sagaorchestrator.participants.faults.FaultInjector;
import io.sagaorchestrator.participants.faults.FaultSettings;
import io.sagaorchestrator.participants.inventory.InventoryItem;
import io.sagaorchestrator.participants.payment.PaymentAccount;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Under {@code /admin} (the caller checks the bearer token): seed credit and stock, look at participants, set faults. Bearer token required. */
public final class AdminRoutes extends AllDirectives {
  static final long MAX_DEPOSIT_CENTS = 1_000_000_000_000_00L;
  static final int MAX_RESTOCK = 1_000_000_000;

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final FaultInjector faults;

  public AdminRoutes(ActorSystem<?> system, Duration askTimeout, FaultInjector faults) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.faults = faults;
  }

  public Route route() {
    return concat(
        pathPrefix("accounts", () -> concat(
            path(segment(), customerId -> get(() -> completeWithFuture(OrderRoutes.withValidId(customerId, this::account)))),
            path(segment().slash("deposit"), customerId -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(OrderRoutes.withValidId(customerId, id -> deposit(id, body)))))))),
        pathPrefix("inventory", () -> concat(
            path(segment(), sku -> get(() -> completeWithFuture(OrderRoutes.withValidId(sku, this::item)))),
            path(segment().slash("restock"), sku -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(OrderRoutes.withValidId(sku, id -> restock(id, body)))))))),
        path("faults", () -> concat(
            get(() -> complete(HttpJson.ok(toResponse(faults.settings())))),
            put(() -> entity(Unmarshaller.entityToString(), body -> complete(setFaults(body)))))));
  }

  private CompletionStage<HttpResponse> account(String customerId) {
    return sharding.entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, customerId)
        .ask(PaymentAccount.GetAccount::new, askTimeout)
        .thenApply(view -> HttpJson.ok(toResponse(view)))
        .exceptionally(error -> Failures.notFoundOr(error, "account " + customerId + " not found"));
  }

  private CompletionStage<HttpResponse> deposit(String customerId, String body) {
    Long amount = HttpJson.read(body, DepositRequest.class).amountCents();
    if (amount == null) throw new HttpJson.BadRequest("amountCents: required", List.of("amountCents"));
    if (amount <= 0 || amount > MAX_DEPOSIT_CENTS) {
      throw new HttpJson.BadRequest("amountCents: must be between 1 and " + MAX_DEPOSIT_CENTS, List.of("amountCents"));
    }
    return sharding.entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, customerId)
        .<PaymentAccount.AccountView>askWithStatus(replyTo -> new PaymentAccount.Deposit(amount, replyTo), askTimeout)
        .thenApply(view -> HttpJson.ok(toResponse(view)))
        .exceptionally(error -> rejected(error, "amountCents"));
  }

  private CompletionStage<HttpResponse> item(String sku) {
    return sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, sku)
        .ask(InventoryItem.GetItem::new, askTimeout)
        .thenApply(view -> HttpJson.ok(toResponse(view)))
        .exceptionally(error -> Failures.notFoundOr(error, "sku " + sku + " not found"));
  }

  private CompletionStage<HttpResponse> restock(String sku, String body) {
    Integer quantity = HttpJson.read(body, RestockRequest.class).quantity();
    if (quantity == null) throw new HttpJson.BadRequest("quantity: required", List.of("quantity"));
    if (quantity <= 0 || quantity > MAX_RESTOCK) {
      throw new HttpJson.BadRequest("quantity: must be between 1 and " + MAX_RESTOCK, List.of("quantity"));
    }
    return sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, sku)
        .<InventoryItem.ItemView>askWithStatus(replyTo -> new InventoryItem.Restock(quantity, replyTo), askTimeout)
        .thenApply(view -> HttpJson.ok(toResponse(view)))
        .exceptionally(error -> rejected(error, "quantity"));
  }

  private static HttpResponse rejected(Throwable error, String field) {
    if (Failures.isStatusError(error)) {
      return HttpJson.error(StatusCodes.BAD_REQUEST, field + ": " + AskFailures.unwrap(error).getMessage(), List.of(field));
    }
    return Failures.notFoundOr(error, "not found");
  }

  private HttpResponse setFaults(String body) {
    FaultsRequest request = HttpJson.read(body, FaultsRequest.class);
    try {
      var next = new FaultSettings(request.seed() == null ? faults.settings().seed() : request.seed(), Map.of(
          OrderParticipants.PAYMENT, toFaults(request.payment()),
          OrderParticipants.INVENTORY, toFaults(request.inventory()),
          OrderParticipants.SHIPPING, toFaults(request.shipping())));
      faults.update(next);
      return HttpJson.ok(toResponse(next));
    } catch (IllegalArgumentException e) {
      throw new HttpJson.BadRequest(e.getMessage(), List.of());
    }
  }

  private static FaultSettings.ParticipantFaults toFaults(ParticipantFaultsRequest request) {
    if (request == null) return FaultSettings.ParticipantFaults.NONE;
    return new FaultSettings.ParticipantFaults(
        request.failureRate() == null ? 0 : request.failureRate(),
        request.timeoutRate() == null ? 0 : request.timeoutRate(),
        request.latencyMs() == null ? 0 : request.latencyMs());
  }

  /** The same shape as the PUT body, so a GET can be edited and sent back. */
  private static FaultsRequest toResponse(FaultSettings settings) {
    return new FaultsRequest(settings.seed(), toRequest(settings.of(OrderParticipants.PAYMENT)),
        toRequest(settings.of(OrderParticipants.INVENTORY)), toRequest(settings.of(OrderParticipants.SHIPPING)));
  }

  private static ParticipantFaultsRequest toRequest(FaultSettings.ParticipantFaults f) {
    return new ParticipantFaultsRequest(f.failureRate(), f.timeoutRate(), f.latencyMs());
  }

  private static AccountResponse toResponse(PaymentAccount.AccountView view) {
    return new AccountResponse(view.customerId(), view.depositedCents(), view.availableCents(), view.charges());
  }

  private static ItemViewResponse toResponse(InventoryItem.ItemView view) {
    return new ItemViewResponse(view.sku(), view.restocked(), view.available(), view.reservations());
  }
}
