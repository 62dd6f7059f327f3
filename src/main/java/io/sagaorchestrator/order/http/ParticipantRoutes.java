package io.sagaorchestrator.order.http;

import io.sagaorchestrator.orchestrator.AskFailures;
import static akka.http.javadsl.server.PathMatchers.segment;
import static io.sagaorchestrator.infra.http.PathIds.withValidId;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import io.sagaorchestrator.infra.http.Failures;
import io.sagaorchestrator.infra.http.HttpJson;
import io.sagaorchestrator.order.http.OrderDtos.AccountResponse;
import io.sagaorchestrator.order.http.OrderDtos.DepositRequest;
import io.sagaorchestrator.order.http.OrderDtos.ItemViewResponse;
import io.sagaorchestrator.order.http.OrderDtos.RestockRequest;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Under {@code /admin} (the node checks the admin token): seed credit and stock, and look at what accounts and SKUs hold. */
public final class ParticipantRoutes extends AllDirectives {
  static final long MAX_DEPOSIT_CENTS = 1_000_000_000_000_00L;
  static final int MAX_RESTOCK = 1_000_000_000;

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  public ParticipantRoutes(ActorSystem<?> system, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  public Route route() {
    return concat(
        pathPrefix("accounts", () -> concat(
            path(segment(), customerId -> get(() -> completeWithFuture(withValidId(customerId, this::account)))),
            path(segment().slash("deposit"), customerId -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(withValidId(customerId, id -> deposit(id, body)))))))),
        pathPrefix("inventory", () -> concat(
            path(segment(), sku -> get(() -> completeWithFuture(withValidId(sku, this::item)))),
            path(segment().slash("restock"), sku -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(withValidId(sku, id -> restock(id, body)))))))));
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

  private static AccountResponse toResponse(PaymentAccount.AccountView view) {
    return new AccountResponse(view.customerId(), view.depositedCents(), view.availableCents(), view.charges());
  }

  private static ItemViewResponse toResponse(InventoryItem.ItemView view) {
    return new ItemViewResponse(view.sku(), view.restocked(), view.available(), view.reservations());
  }
}
