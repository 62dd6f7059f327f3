package io.sagaorchestrator.bench;

import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A throw-away PostgreSQL database on the server a JDBC URL points at: the bench's journal, or the limit's scratch table. */
final class PostgresScratch {
  private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?");
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private PostgresScratch() {}

  static String urlFor(String serverUrl, String database) {
    Matcher m = URL.matcher(serverUrl);
    if (!m.matches()) throw new IllegalArgumentException("not a jdbc:postgresql://host[:port]/database URL: " + serverUrl);
    return m.group(1) + database + (m.group(3) == null ? "" : m.group(3));
  }

  static void create(JournalConfig server, String name) throws SQLException {
    execute(server, "CREATE DATABASE " + checked(name));
  }

  static void drop(JournalConfig server, String name) throws SQLException {
    execute(server, "DROP DATABASE IF EXISTS " + checked(name) + " WITH (FORCE)");
  }

  private static String checked(String name) {
    if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad database name " + name);
    return name;
  }

  private static void execute(JournalConfig server, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(server.url(), server.user(), server.password());
         Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      statement.execute(sql);
    }
  }
}
