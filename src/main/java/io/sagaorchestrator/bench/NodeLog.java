package io.sagaorchestrator.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The node's log goes to a file while the bench prints its progress; closing puts the console
 * appenders back.
 */
final class NodeLog {
  private NodeLog() {}

  static AutoCloseable toFile(Path file) throws IOException {
    if (!(LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root)) return () -> {};
    Files.createDirectories(file.toAbsolutePath().getParent());
    var context = root.getLoggerContext();
    var encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
    encoder.start();
    var appender = new FileAppender<ILoggingEvent>();
    appender.setContext(context);
    appender.setName("bench-node-log");
    appender.setFile(file.toString());
    appender.setAppend(false);
    appender.setEncoder(encoder);
    appender.start();
    List<Appender<ILoggingEvent>> previous = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(previous::add);
    previous.forEach(root::detachAppender);
    root.addAppender(appender);
    return () -> {
      previous.forEach(root::addAppender);
      root.detachAppender(appender);
      appender.stop();
    };
  }
}
