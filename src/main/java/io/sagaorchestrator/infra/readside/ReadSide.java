package io.sagaorchestrator.infra.readside;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.jdbc.javadsl.JdbcHandler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import akka.persistence.query.Offset;
import io.micrometer.core.instrument.MeterRegistry;
import io.sagaorchestrator.infra.audit.AuditCheck;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side (docs/design.md §9): Akka Projections fold the journal's events into tables
 * ({@link JournalConfig#readSideUrl}), one projection per slice of the persistence ids ({@link JournalEvents}),
 * spread over the cluster's nodes by a sharded daemon process, so they move to another node when
 * theirs leaves. Each group of events and the projection's offset commit in one transaction:
 * exactly once.
 */
public final class ReadSide implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReadSide.class);
  private static final String NAME = "read-side";
  private static final long POSTGRES_SCHEMA_LOCK = 0x5a6a_0002L;

  private final ReadSideSettings settings;
  private final ReadSideDatabase database;
  private final ReadSideDatabase journalDatabase;
  private final SagaSummaries sagas;
  private final ReadSideLag lag;
  private final MeterRegistry metrics;
  private final List<ReadModel> models = new ArrayList<>();
  private SagaGauges gauges;

  private ReadSide(ReadSideSettings settings, ReadSideDatabase database, ReadSideDatabase journalDatabase, SagaSummaries sagas,
      ReadSideLag lag, MeterRegistry metrics) {
    this.settings = settings;
    this.database = database;
    this.journalDatabase = journalDatabase;
    this.sagas = sagas;
    this.lag = lag;
    this.metrics = metrics;
    if (sagas != null) models.add(sagas);
  }

  /**
   * Opens the read side's connections; nothing is projected until {@link #start}. On H2 its
   * tables live in a file of their own ({@link JournalConfig#readSideUrl}), so the projections
   * read the journal through a second pool.
   */
  public static ReadSide open(ActorSystem<?> system, JournalConfig journal, ReadSideSettings settings, MeterRegistry metrics) {
    if (!settings.enabled()) return new ReadSide(settings, null, null, null, null, metrics);
    String tables = journal.readSideUrl(system.settings().config());
    ReadSideDatabase database = new ReadSideDatabase(system, journal, "read-side", tables, settings.maxConnections());
    ReadSideDatabase journalDatabase = tables.equals(journal.url()) ? database
        : new ReadSideDatabase(system, journal, "read-side-journal", journal.url(), settings.maxConnections());
    return new ReadSide(settings, database, journalDatabase, new SagaSummaries(system, database, settings.maxPageSize()),
        new ReadSideLag(metrics), metrics);
  }

  public boolean enabled() {
    return settings.enabled();
  }

  public ReadSideSettings settings() {
    return settings;
  }

  /** The saga summaries; empty with the read side off. */
  public Optional<SagaSummaries> sagas() {
    return Optional.ofNullable(sagas);
  }

  /** The connections a module's queries use; empty with the read side off. */
  public Optional<ReadSideDatabase> database() {
    return Optional.ofNullable(database);
  }

  public Optional<ReadSideLag> lag() {
    return Optional.ofNullable(lag);
  }

  /** A fresh check of saga_summary against the journal for one audit run; empty with the read side off. */
  public Optional<AuditCheck> newAuditCheck() {
    if (!settings.enabled()) return Optional.empty();
    return Optional.of(new ReadSideAuditCheck(database, settings.auditAllowedLag()));
  }

  /** A module's tables, folded by the same projections (call before {@link #start}). */
  public void add(ReadModel model) {
    models.add(model);
  }

  /**
   * Creates the tables that are missing, runs this node's share of the projections, and keeps
   * the gauges of the sagas not ended, whose stuck ones {@code stuck} tells.
   */
  public void start(ActorSystem<?> system, StuckRule stuck) throws Exception {
    if (!settings.enabled()) return;
    createTables(system);
    gauges = new SagaGauges(system, database, stuck, metrics, settings.gaugeInterval());
    List<ReadModel> all = List.copyOf(models);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, settings.slices(),
        slice -> ProjectionBehavior.create(projection(system, slice, all)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
    log.info("read side: {} projections over {} tables", settings.slices(), all.size());
  }

  /**
   * On PostgreSQL under an advisory lock, so nodes starting at once on a new database do not race
   * to create them; each statement commits on its own, so that it holds one table's lock at a
   * time: in one transaction, its locks could close a cycle with another node's projection
   * writing into the same tables (a deadlock PostgreSQL breaks by failing the start).
   */
  private void createTables(ActorSystem<?> system) throws Exception {
    boolean postgres = database.kind() == JournalConfig.Kind.POSTGRES;
    database.update(connection -> {
      try (Statement statement = connection.createStatement()) {
        if (postgres) statement.execute("SELECT pg_advisory_lock(" + POSTGRES_SCHEMA_LOCK + ")");
        try {
          for (ReadModel model : models) {
            for (String ddl : model.schema(database.kind())) {
              statement.execute(ddl);
              connection.commit();
            }
          }
          JdbcProjection.createTablesIfNotExists(() -> database.sessionOn(connection), system)
              .toCompletableFuture().get(30, TimeUnit.SECONDS);
          connection.commit();
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
          throw new SQLException("the projections' offset table cannot be created: " + e.getMessage(), e);
        } finally {
          if (postgres) {
            connection.rollback();
            statement.execute("SELECT pg_advisory_unlock(" + POSTGRES_SCHEMA_LOCK + ")");
          }
        }
      }
      return null;
    });
  }

  private GroupedProjection<Offset, EventEnvelope<Object>> projection(ActorSystem<?> system, int slice, List<ReadModel> all) {
    ProjectionId id = ProjectionId.of(NAME, "slice-" + slice);
    String journalTable = JournalConfig.journalTable(system.settings().config());
    return JdbcProjection.<Offset, EventEnvelope<Object>, ReadSideDatabase.Session>groupedWithin(id,
            new JournalEvents(system, journalDatabase, journalTable, slice, pid -> all.stream().anyMatch(m -> m.keeps(pid)), settings),
            database::session,
            () -> new Handler(id, all, lag),
            system)
        .withGroup(settings.groupSize(), settings.groupAfter())
        .withRestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)
        .withStatusObserver(lag);
  }

  @Override
  public void close() {
    if (gauges != null) gauges.close();
    if (journalDatabase != null && journalDatabase != database) journalDatabase.close();
    if (database != null) database.close();
  }

  /** Applies one group to every model, in the projection's transaction. */
  private static final class Handler extends JdbcHandler<List<EventEnvelope<Object>>, ReadSideDatabase.Session> {
    private final ProjectionId id;
    private final List<ReadModel> models;
    private final ReadSideLag lag;

    Handler(ProjectionId id, List<ReadModel> models, ReadSideLag lag) {
      this.id = id;
      this.models = models;
      this.lag = lag;
    }

    @Override
    public void process(ReadSideDatabase.Session session, List<EventEnvelope<Object>> group) throws Exception {
      lag.applying(id, group);
      session.withConnection(connection -> {
        for (ReadModel model : models) model.apply(connection, group);
        return null;
      });
    }
  }
}
