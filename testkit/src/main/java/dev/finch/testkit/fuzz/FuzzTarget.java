package dev.finch.testkit.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * One parser of untrusted input as the {@link Fuzzer} sees it: a name, the real inputs its
 * mutations start from, the call that parses (and uses the value the way the product does), and the
 * exception types that count as its typed errors. Anything else the call throws, a call that does
 * not return within the time bound, or one that allocates past the memory bound is a finding.
 *
 * <p>Example: {@code FuzzTarget.builder("prefetch", PrefetchArtifact::parse)
 * .seed(json).typed(IOException.class).dictionary("\"prefetch_spans\"", "{", "}").build()}.
 *
 * @param name short name, used in reports and in the file names of findings
 * @param seeds real inputs (at least one)
 * @param parser the call under test
 * @param typed exception types that are the parser's own errors; a subclass counts too
 * @param dictionary tokens the mutator inserts (keywords, delimiters, field names)
 * @param generator structure-aware inputs, or null when the target has none
 * @param fixup applied to most mutated inputs, e.g. to recompute a checksum so that mutations get
 *     past it; null for none
 * @param maxInputSize mutated inputs are cut to this many bytes
 */
public record FuzzTarget(
    String name,
    List<byte[]> seeds,
    Parser parser,
    List<Class<? extends Throwable>> typed,
    List<byte[]> dictionary,
    Generator generator,
    UnaryOperator<byte[]> fixup,
    int maxInputSize) {

  /** The call under test; it may throw anything, the fuzzer sorts it. */
  @FunctionalInterface
  public interface Parser {
    void parse(byte[] input) throws Exception;
  }

  /** Makes one structured input. */
  @FunctionalInterface
  public interface Generator {
    byte[] generate(Random random);
  }

  public FuzzTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(parser, "parser");
    seeds = List.copyOf(seeds);
    typed = List.copyOf(typed);
    dictionary = List.copyOf(dictionary);
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("fuzz target " + name + " has no seed input");
    }
    if (maxInputSize <= 0) {
      throw new IllegalArgumentException("fuzz target " + name + ": maxInputSize must be > 0");
    }
  }

  /** True when {@code t} is one of the target's typed errors. */
  public boolean isTyped(Throwable t) {
    for (Class<? extends Throwable> c : typed) {
      if (c.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  public static Builder builder(String name, Parser parser) {
    return new Builder(name, parser);
  }

  /** Builds a {@link FuzzTarget}; every part but a seed and a typed error is optional. */
  public static final class Builder {
    /** Default input cap: large enough for a real zTOC of a small layer. */
    private static final int DEFAULT_MAX_INPUT = 1 << 20;

    private final String name;
    private final Parser parser;
    private final List<byte[]> seeds = new ArrayList<>();
    private final List<Class<? extends Throwable>> typed = new ArrayList<>();
    private final List<byte[]> dictionary = new ArrayList<>();
    private Generator generator;
    private UnaryOperator<byte[]> fixup;
    private int maxInputSize = DEFAULT_MAX_INPUT;

    private Builder(String name, Parser parser) {
      this.name = name;
      this.parser = parser;
    }

    public Builder seed(byte[] input) {
      seeds.add(input.clone());
      return this;
    }

    public Builder seed(String utf8) {
      return seed(utf8.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @SafeVarargs
    public final Builder typed(Class<? extends Throwable>... types) {
      typed.addAll(List.of(types));
      return this;
    }

    public Builder dictionary(String... tokens) {
      for (String t : tokens) {
        dictionary.add(t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      return this;
    }

    public Builder generator(Generator g) {
      this.generator = g;
      return this;
    }

    public Builder fixup(UnaryOperator<byte[]> f) {
      this.fixup = f;
      return this;
    }

    public Builder maxInputSize(int bytes) {
      this.maxInputSize = bytes;
      return this;
    }

    public FuzzTarget build() {
      return new FuzzTarget(name, seeds, parser, typed, dictionary, generator, fixup, maxInputSize);
    }
  }
}
