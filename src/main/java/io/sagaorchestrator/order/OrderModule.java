package io.sagaorchestrator.order;

import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.order.audit.OrderAudit;
import io.sagaorchestrator.order.http.OrderOutcomeRoutes;
import io.sagaorchestrator.order.http.OrderRoutes;
import io.sagaorchestrator.order.http.ParticipantRoutes;
import io.sagaorchestrator.order.inventory.InventoryItem;
import io.sagaorchestrator.order.payment.PaymentAccount;
import io.sagaorchestrator.order.readside.LedgerAuditCheck;
import io.sagaorchestrator.order.readside.OrderQueries;
import io.sagaorchestrator.order.readside.OrderReadModel;
import io.sagaorchestrator.order.shipping.Shipment;
import java.time.Duration;
import java.util.Optional;

/**
 * The order saga as a module, wired the way a user's would be: payment, inventory and shipping
 * as sharded entities of its own, the order saga over them, {@code /orders}, its admin views and
 * outcome stream, its read-side tables (orders as placed, the participants' ledger), and the
 * audit of credit, stock and shipments.
 */
public final class OrderModule implements SagaModule {
  @Override
  public String name() {
    return OrderSaga.NAME;
  }

  @Override
  public void install(ModuleContext node) {
    OrderSettings settings = OrderSettings.from(node.config());
    Duration askTimeout = node.settings().http().askTimeout();
    int askAttempts = node.settings().http().askAttempts();
    PaymentAccount.init(node.system(), settings.participantsForgetAfter());
    InventoryItem.init(node.system(), settings.participantsForgetAfter());
    Shipment.init(node.system(), settings.shippingCountries(), settings.shipmentIdlePassivation());
    OrderEntity.init(node.system(), askTimeout, node.settings().engine().passivateAfterEnd());

    Optional<OrderQueries> queries = node.readSide().database().map(database -> {
      node.readModel(new OrderReadModel(node.system(), database.kind()));
      node.auditCheck(() -> new LedgerAuditCheck(database, node.readSide().settings().auditAllowedLag()));
      return new OrderQueries(node.system(), database);
    });
    var routes = new OrderRoutes(node.system(), node.readSide(), queries, node.admission(), node.clientAccess(), askTimeout,
        askAttempts);
    var participants = new ParticipantRoutes(node.system(), askTimeout, queries, node.readSide().settings().maxPageSize());
    var outcomes = new OrderOutcomeRoutes(node.outcomes());
    node.definitionStartedThrough(OrderSaga.definition(new OrderParticipants(node.system(), node.faults()), settings.saga()), "POST /orders")
        .sagaAnnouncement(OrderEntity.sagaAnnouncement(node.system()))
        .routes(routes::route)
        .adminRoutes(participants::route)
        .adminRoutes(outcomes::route)
        .auditCheck(OrderAudit::new);
  }
}
