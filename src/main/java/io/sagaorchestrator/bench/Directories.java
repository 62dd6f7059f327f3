package io.sagaorchestrator.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The bench's scratch directories: its own node's data, the journal limit's H2 file. */
final class Directories {
  private Directories() {}

  static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
