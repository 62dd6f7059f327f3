package io.sagaorchestrator.infra.persistence;

import akka.persistence.jdbc.config.JournalConfig;
import akka.persistence.jdbc.journal.dao.DefaultJournalDao;
import akka.persistence.jdbc.journal.dao.JournalTables;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The JDBC plugin's own journal DAO (bound as {@code jdbc-journal.dao}), timing each batch insert
 * and counting its rows into {@link JournalWriteMetrics}. The plugin calls the constructor by
 * reflection, with these parameter types.
 */
public final class MeteredJournalDao extends DefaultJournalDao {
  private final JournalWriteMetrics metrics;

  public MeteredJournalDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, JournalConfig journalConfig,
      Serialization serialization, ExecutionContext ec, Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.metrics = JournalWriteMetrics.get(serialization.system());
  }

  @Override
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalTables.JournalAkkaSerializationRow, Set<String>>> rows) {
    long start = System.nanoTime();
    int size = rows.size();
    Future<BoxedUnit> written = super.writeJournalRows(rows);
    FutureConverters.asJava(written).whenComplete((done, error) -> {
      if (error == null) metrics.recordBatch(size, System.nanoTime() - start);
    });
    return written;
  }
}
