package io.sagaorchestrator.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.infra.audit.AuditCheck;
import io.sagaorchestrator.infra.config.SagaSettings;
import io.sagaorchestrator.infra.http.Admission;
import io.sagaorchestrator.infra.http.BearerToken;
import io.sagaorchestrator.infra.readside.ReadModel;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import io.sagaorchestrator.orchestrator.SagaOutcomes;
import io.sagaorchestrator.participants.faults.FaultInjector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** What a node offers a {@link SagaModule} as it installs, and what the module registers. */
public final class ModuleContext {
  private final ActorSystem<?> system;
  private final SagaSettings settings;
  private final FaultInjector faults;
  private final ActorRef<SagaOutcomes.Command> outcomes;
  private final SagaDefinitions definitions;
  private final MeterRegistry metrics;
  private final ReadSide readSide;
  private final Admission admission;
  private final BearerToken clientAccess;
  private final List<Function<String, Route>> routes = new ArrayList<>();
  private final List<Supplier<Route>> adminRoutes = new ArrayList<>();
  private final List<Supplier<AuditCheck>> auditChecks = new ArrayList<>();
  private final List<SagaKeeper.Announcement> announcements = new ArrayList<>();

  public ModuleContext(ActorSystem<?> system, SagaSettings settings, FaultInjector faults, ActorRef<SagaOutcomes.Command> outcomes,
      SagaDefinitions definitions, MeterRegistry metrics, ReadSide readSide, Admission admission, BearerToken clientAccess) {
    this.system = system;
    this.settings = settings;
    this.faults = faults;
    this.outcomes = outcomes;
    this.definitions = definitions;
    this.metrics = metrics;
    this.readSide = readSide;
    this.admission = admission;
    this.clientAccess = clientAccess;
  }

  /** What a client's reads and cancels of what it started need ({@code saga.http.client-token}; open when none is set). */
  public BearerToken clientAccess() {
    return clientAccess;
  }

  /** The node's admission control: a route that starts sagas asks it first and answers its 429 when refused. */
  public Admission admission() {
    return admission;
  }

  /** The node's read side: its saga summaries, and the connections a module's queries use. */
  public ReadSide readSide() {
    return readSide;
  }

  /** Tables the read side keeps from the module's events (docs/design.md §9). */
  public ModuleContext readModel(ReadModel model) {
    readSide.add(model);
    return this;
  }

  /** The node's metrics, exposed at {@code GET /metrics}: a module records its own here (bounded labels, no ids). */
  public MeterRegistry metrics() {
    return metrics;
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** The node's whole configuration; a module keeps its own settings under {@code saga.<module>}. */
  public Config config() {
    return system.settings().config();
  }

  public SagaSettings settings() {
    return settings;
  }

  /** The fault injector in-process participants call through (faults by participant name, {@code saga.faults}). */
  public FaultInjector faults() {
    return faults;
  }

  /** Every saga's end, as it happens (at most once, on the node that ran it). */
  public ActorRef<SagaOutcomes.Command> outcomes() {
    return outcomes;
  }

  /** Every definition the modules installed so far registered. */
  public SagaDefinitions definitions() {
    return definitions;
  }

  /** A definition whose sagas clients start with {@code POST /sagas}. */
  public ModuleContext definition(SagaDefinition<?> definition) {
    definitions.register(definition);
    return this;
  }

  /** A definition whose sagas only the module starts, through {@code route} (e.g. "POST /orders"). */
  public ModuleContext definitionStartedThrough(SagaDefinition<?> definition, String route) {
    definitions.registerStartedThrough(definition, route);
    return this;
  }

  /** Public routes, built per request with its correlation id. */
  public ModuleContext routes(Function<String, Route> byCorrelationId) {
    routes.add(byCorrelationId);
    return this;
  }

  /** Routes under {@code /admin}; the node checks the admin token first. */
  public ModuleContext adminRoutes(Supplier<Route> route) {
    adminRoutes.add(route);
    return this;
  }

  /** A fresh check per audit run (it holds that run's facts). */
  public ModuleContext auditCheck(Supplier<AuditCheck> check) {
    auditChecks.add(check);
    return this;
  }

  /** An entity whose event promises a saga: the keeper wakes it if the saga did not start. */
  public ModuleContext sagaAnnouncement(SagaKeeper.Announcement announcement) {
    announcements.add(announcement);
    return this;
  }

  public List<Function<String, Route>> routes() {
    return List.copyOf(routes);
  }

  public List<Supplier<Route>> adminRoutes() {
    return List.copyOf(adminRoutes);
  }

  public List<AuditCheck> newAuditChecks() {
    return auditChecks.stream().map(Supplier::get).toList();
  }

  public List<SagaKeeper.Announcement> announcements() {
    return List.copyOf(announcements);
  }
}
