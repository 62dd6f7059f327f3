package io.sagaorchestrator.order.http;

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
import io.sagaorchestrator.infra.http.PageParameters;
import io.sagaorchestrator.orchestrator.AskFailures;
import io.sagaorchestrator.order.http.OrderDtos.AccountResponse;
import io.sagaorchestrator.order.http.OrderDtos.DepositRequest;
import io.sagaorchestrator.order.http.OrderDtos.ItemViewResponse;
import io.sagaorchestrator.order.http.OrderDtos.LedgerLine;
import io.sagaorchestrator.order.http.OrderDtos.LedgerResponse;
import io.sagaorchestrator.order.http.OrderDtos.RestockRequest;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.readside.LedgerEntry.Participant;
import io.sagaorchestrator.order.readside.OrderQueries;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Under {@code /admin} (the node checks the admin token): seed credit and stock, and look at what
 * accounts and SKUs hold. Balances come from the entity; what each order holds, and the ledger,
 * from the read side (a moment behind the entity), so they outlive the entity's idempotency records.
 */
public final class ParticipantRoutes extends AllDirectives {
  static final long MAX_DEPOSIT_CENTS = 1_000_000_000_000_00L;
  static final int MAX_RESTOCK = 1_000_000_000;
  private static final int DEFAULT_PAGE = 100;
  private static final Set<String> PAGE_PARAMETERS = Set.of("limit", "cursor");

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Optional<OrderQueries> queries;
  private final int maxPage;

  public ParticipantRoutes(ActorSystem<?> system, Duration askTimeout, Optional<OrderQueries> queries, int maxPage) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.queries = queries;
    this.maxPage = maxPage;
  }

  public Route route() {
    return concat(
        pathPrefix("accounts", () -> concat(
            path(segment(), customerId -> get(() -> parameterMap(page ->
                completeWithFuture(withValidId(customerId, id -> account(id, page)))))),
            path(segment().slash("ledger"), customerId -> get(() -> parameterMap(page ->
                completeWithFuture(withValidId(customerId, id -> ledger(Participant.ACCOUNT, id, page)))))),
            path(segment().slash("deposit"), customerId -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(withValidId(customerId, id -> deposit(id, body)))))))),
        pathPrefix("inventory", () -> concat(
            path(segment(), sku -> get(() -> parameterMap(page -> completeWithFuture(withValidId(sku, id -> item(id, page)))))),
            path(segment().slash("ledger"), sku -> get(() -> parameterMap(page ->
                completeWithFuture(withValidId(sku, id -> ledger(Participant.INVENTORY, id, page)))))),
            path(segment().slash("restock"), sku -> post(() -> entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(withValidId(sku, id -> restock(id, body)))))))));
  }

  private CompletionStage<HttpResponse> account(String customerId, Map<String, String> page) {
    PageParameters.rejectUnknown(page, PAGE_PARAMETERS, "GET /admin/accounts/{id}");
    int limit = PageParameters.limit(page, DEFAULT_PAGE, maxPage);
    Optional<String> after = PageParameters.cursor(page);
    return sharding.entityRefFor(PaymentAccount.ENTITY_TYPE_KEY, customerId)
        .ask(PaymentAccount.GetAccount::new, askTimeout)
        .thenCompose(view -> accountResponse(view, limit, after))
        .thenApply(HttpJson::ok)
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
        .thenCompose(view -> accountResponse(view, DEFAULT_PAGE, Optional.empty()))
        .thenApply(HttpJson::ok)
        .exceptionally(error -> rejected(error, "amountCents"));
  }

  private CompletionStage<HttpResponse> item(String sku, Map<String, String> page) {
    PageParameters.rejectUnknown(page, PAGE_PARAMETERS, "GET /admin/inventory/{sku}");
    int limit = PageParameters.limit(page, DEFAULT_PAGE, maxPage);
    Optional<String> after = PageParameters.cursor(page);
    return sharding.entityRefFor(InventoryItem.ENTITY_TYPE_KEY, sku)
        .ask(InventoryItem.GetItem::new, askTimeout)
        .thenCompose(view -> itemResponse(view, limit, after))
        .thenApply(HttpJson::ok)
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
        .thenCompose(view -> itemResponse(view, DEFAULT_PAGE, Optional.empty()))
        .thenApply(HttpJson::ok)
        .exceptionally(error -> rejected(error, "quantity"));
  }

  private CompletionStage<HttpResponse> ledger(Participant participant, String id, Map<String, String> page) {
    PageParameters.rejectUnknown(page, PAGE_PARAMETERS, "this ledger");
    int limit = PageParameters.limit(page, DEFAULT_PAGE, maxPage);
    long after = PageParameters.cursor(page).map(ParticipantRoutes::sequence).orElse(0L);
    if (queries.isEmpty()) return CompletableFuture.completedFuture(readSideOff());
    return queries.get().ledger(participant, id, limit, after).thenApply(ledger -> HttpJson.ok(new LedgerResponse(id,
        ledger.entries().stream().map(e -> new LedgerLine(e.seqNr(), e.kind(), e.orderId(), e.amount(), e.detail(), e.at())).toList(),
        ledger.next().map(seq -> PageParameters.cursor(Long.toString(seq))).orElse(null))));
  }

  /** Held charges from the read side; with it off, those the entity still keeps records of. */
  private CompletionStage<AccountResponse> accountResponse(PaymentAccount.AccountView view, int limit, Optional<String> after) {
    if (queries.isEmpty()) {
      return CompletableFuture.completedFuture(
          new AccountResponse(view.customerId(), view.depositedCents(), view.availableCents(), view.charges(), null));
    }
    return queries.get().held(Participant.ACCOUNT, view.customerId(), limit, after).thenApply(held ->
        new AccountResponse(view.customerId(), view.depositedCents(), view.availableCents(), held.byOrder(),
            held.next().map(PageParameters::cursor).orElse(null)));
  }

  private CompletionStage<ItemViewResponse> itemResponse(InventoryItem.ItemView view, int limit, Optional<String> after) {
    if (queries.isEmpty()) {
      Map<String, Long> reservations = new LinkedHashMap<>();
      view.reservations().forEach((order, quantity) -> reservations.put(order, quantity.longValue()));
      return CompletableFuture.completedFuture(
          new ItemViewResponse(view.sku(), view.restocked(), view.available(), reservations, null));
    }
    return queries.get().held(Participant.INVENTORY, view.sku(), limit, after).thenApply(held ->
        new ItemViewResponse(view.sku(), view.restocked(), view.available(), held.byOrder(),
            held.next().map(PageParameters::cursor).orElse(null)));
  }

  private static long sequence(String plain) {
    try {
      long seq = Long.parseLong(plain);
      if (seq > 0) return seq;
    } catch (NumberFormatException e) {
      // a 400 below
    }
    throw PageParameters.badCursor();
  }

  private static HttpResponse readSideOff() {
    return HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE, "the read side is off on this node (saga.read-side.enabled)");
  }

  private static HttpResponse rejected(Throwable error, String field) {
    if (Failures.isStatusError(error)) {
      return HttpJson.error(StatusCodes.BAD_REQUEST, field + ": " + AskFailures.unwrap(error).getMessage(), List.of(field));
    }
    return Failures.notFoundOr(error, "not found");
  }
}
