package io.sagaorchestrator.infra.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The deployable logging configuration (conf/logback.xml, the same as the jar's): text by default,
 * one JSON object per line with {@code SAGA_LOG_FORMAT=json}, a saga's id and correlation id in both.
 */
class LogFormatTest {
  private static String logOneSagaLine(String configuration, Optional<String> format) throws Exception {
    LoggerContext context = new LoggerContext();
    // A context of its own (the tests' logging stays as it is), with the MDC SLF4J would give it.
    context.setMDCAdapter(new LogbackMDCAdapter());
    format.ifPresent(value -> context.putProperty("SAGA_LOG_FORMAT", value));
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(new File(configuration));
      assertEquals(List.of(), context.getStatusManager().getCopyOfStatusList().stream()
          .filter(status -> status.getLevel() > Status.INFO).map(Status::getMessage).toList(), "logback's own warnings");
      var console = (OutputStreamAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
      console.setOutputStream(captured);
      context.getMDCAdapter().setContextMap(Map.of("sagaId", "o-1", "correlationId", "req-7"));
      context.getLogger("io.sagaorchestrator.orchestrator.SagaEntity").info("saga o-1 compensating");
    } finally {
      context.stop();
    }
    return captured.toString(StandardCharsets.UTF_8).trim();
  }

  @ParameterizedTest
  @ValueSource(strings = {"conf/logback.xml", "src/main/resources/logback.xml"})
  void textByDefaultWithTheSagasIds(String configuration) throws Exception {
    String line = logOneSagaLine(configuration, Optional.empty());
    assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  i\\.s\\.o\\.SagaEntity saga=o-1 corr=req-7 - saga o-1 compensating"), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"conf/logback.xml", "src/main/resources/logback.xml"})
  void jsonWhenAsked(String configuration) throws Exception {
    JsonNode line = new ObjectMapper().readTree(logOneSagaLine(configuration, Optional.of("json")));
    assertEquals("INFO", line.get("level").asText());
    assertEquals("saga o-1 compensating", line.get("message").asText());
    assertEquals("o-1", line.get("mdc").get("sagaId").asText(), line.toString());
    assertEquals("req-7", line.get("mdc").get("correlationId").asText(), line.toString());
  }
}
