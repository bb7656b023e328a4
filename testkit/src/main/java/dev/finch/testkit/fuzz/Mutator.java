package dev.finch.testkit.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Byte-level mutations of one input: bit flips, random bytes, inserts and deletes, chunk
 * duplication and splicing with another input, truncation, "interesting" integers (0, -1, the
 * extremes of each width, powers of two) written in either byte order at a random offset,
 * dictionary tokens, decimal numbers swapped for edge values, and a chunk repeated many times (deep
 * nesting, long runs). Results never exceed the cap given.
 */
public final class Mutator {
  private static final long[] INTERESTING = {
    0,
    1,
    -1,
    2,
    7,
    8,
    16,
    32,
    64,
    0x7f,
    0x80,
    0xff,
    0x100,
    511,
    512,
    513,
    0x7fff,
    0x8000,
    0xffff,
    0x1_0000,
    32768,
    32768 + 17,
    1 << 20,
    1 << 22,
    0x7fff_ffffL,
    0x8000_0000L,
    0xffff_ffffL,
    0x1_0000_0000L,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    Integer.MIN_VALUE,
    Integer.MAX_VALUE - 8
  };

  private static final String[] NUMBERS = {
    "0",
    "-0",
    "-1",
    "1",
    "255",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1e400",
    "-1e-400",
    "0.5",
    "0x10",
    "1_000",
    "NaN",
    "inf"
  };

  private static final int MAX_STACK = 4;
  private static final int MAX_REPEAT = 2000;
  private static final int OPERATIONS = 13;

  private final Random random;
  private final List<byte[]> dictionary;
  private final int cap;

  /**
   * @param random the source of every choice (one seed replays a run)
   * @param dictionary tokens for the dictionary mutations (may be empty)
   * @param cap the largest input produced
   */
  public Mutator(Random random, List<byte[]> dictionary, int cap) {
    this.random = random;
    this.dictionary = List.copyOf(dictionary);
    this.cap = cap;
  }

  /** One to four stacked mutations of {@code input}; {@code other} is used for splicing. */
  public byte[] mutate(byte[] input, byte[] other) {
    byte[] b = input;
    int n = 1 + random.nextInt(MAX_STACK);
    for (int i = 0; i < n; i++) {
      b = once(b, other);
    }
    return b.length > cap ? Arrays.copyOf(b, cap) : b;
  }

  private byte[] once(byte[] b, byte[] other) {
    if (b.length == 0) {
      return insert(b, 0, randomBytes(1 + random.nextInt(16)));
    }
    return switch (random.nextInt(OPERATIONS)) {
      case 0 -> flipBit(b);
      case 1 -> setByte(b);
      case 2 -> insert(b, random.nextInt(b.length + 1), randomBytes(1 + random.nextInt(32)));
      case 3 -> delete(b);
      case 4 -> duplicateChunk(b);
      case 5 -> splice(b, other);
      case 6 -> Arrays.copyOf(b, random.nextInt(b.length));
      case 7 -> interestingInteger(b);
      case 8 -> dictionaryToken(b);
      case 9 -> replaceNumber(b);
      case 10 -> repeatChunk(b);
      case 11 -> copyWithin(b);
      default -> interestingInteger(flipBit(b));
    };
  }

  private byte[] flipBit(byte[] b) {
    byte[] c = b.clone();
    int i = random.nextInt(c.length);
    c[i] ^= (byte) (1 << random.nextInt(8));
    return c;
  }

  private byte[] setByte(byte[] b) {
    byte[] c = b.clone();
    c[random.nextInt(c.length)] = (byte) random.nextInt(256);
    return c;
  }

  private byte[] randomBytes(int n) {
    byte[] r = new byte[n];
    if (random.nextBoolean()) {
      random.nextBytes(r);
    } else {
      for (int i = 0; i < n; i++) {
        r[i] = (byte) (0x20 + random.nextInt(0x5f)); // printable, for text formats
      }
    }
    return r;
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    byte[] c = new byte[b.length + what.length];
    System.arraycopy(b, 0, c, 0, at);
    System.arraycopy(what, 0, c, at, what.length);
    System.arraycopy(b, at, c, at + what.length, b.length - at);
    return c;
  }

  private byte[] delete(byte[] b) {
    int at = random.nextInt(b.length);
    int n = 1 + random.nextInt(Math.max(1, Math.min(b.length - at, 1 + b.length / 4)));
    n = Math.min(n, b.length - at);
    byte[] c = new byte[b.length - n];
    System.arraycopy(b, 0, c, 0, at);
    System.arraycopy(b, at + n, c, at, b.length - at - n);
    return c;
  }

  private byte[] chunk(byte[] b) {
    int at = random.nextInt(b.length);
    int n = 1 + random.nextInt(Math.min(b.length - at, 1 + random.nextInt(512)));
    return Arrays.copyOfRange(b, at, at + n);
  }

  private byte[] duplicateChunk(byte[] b) {
    return insert(b, random.nextInt(b.length + 1), chunk(b));
  }

  private byte[] splice(byte[] b, byte[] other) {
    if (other == null || other.length == 0) {
      return duplicateChunk(b);
    }
    int cut = random.nextInt(b.length + 1);
    int from = random.nextInt(other.length);
    byte[] c = Arrays.copyOf(b, cut + other.length - from);
    System.arraycopy(other, from, c, cut, other.length - from);
    return c;
  }

  private byte[] copyWithin(byte[] b) {
    byte[] piece = chunk(b);
    byte[] c = b.clone();
    int at = random.nextInt(c.length);
    System.arraycopy(piece, 0, c, at, Math.min(piece.length, c.length - at));
    return c;
  }

  private byte[] interestingInteger(byte[] b) {
    long v = INTERESTING[random.nextInt(INTERESTING.length)];
    if (random.nextInt(4) == 0) {
      v += random.nextInt(5) - 2;
    }
    int width =
        switch (random.nextInt(4)) {
          case 0 -> 1;
          case 1 -> 2;
          case 2 -> 4;
          default -> 8;
        };
    if (b.length < width) {
      return b;
    }
    byte[] c = b.clone();
    int at = random.nextInt(c.length - width + 1);
    boolean little = random.nextBoolean();
    for (int i = 0; i < width; i++) {
      byte x = (byte) (v >>> (8 * i));
      c[little ? at + i : at + width - 1 - i] = x;
    }
    return c;
  }

  private byte[] dictionaryToken(byte[] b) {
    if (dictionary.isEmpty()) {
      return setByte(b);
    }
    byte[] token = dictionary.get(random.nextInt(dictionary.size()));
    int at = random.nextInt(b.length + 1);
    if (random.nextBoolean() || at + token.length > b.length) {
      return insert(b, at, token);
    }
    byte[] c = b.clone();
    System.arraycopy(token, 0, c, at, token.length);
    return c;
  }

  /** Swaps one run of ASCII digits (with its sign) for an edge-case number. */
  private byte[] replaceNumber(byte[] b) {
    int start = random.nextInt(b.length);
    while (start < b.length && !isDigit(b[start])) {
      start++;
    }
    if (start == b.length) {
      return interestingInteger(b);
    }
    int end = start;
    while (end < b.length && isDigit(b[end])) {
      end++;
    }
    if (start > 0 && b[start - 1] == '-') {
      start--;
    }
    byte[] number = NUMBERS[random.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
    byte[] c = new byte[b.length - (end - start) + number.length];
    System.arraycopy(b, 0, c, 0, start);
    System.arraycopy(number, 0, c, start, number.length);
    System.arraycopy(b, end, c, start + number.length, b.length - end);
    return c;
  }

  private static boolean isDigit(byte x) {
    return x >= '0' && x <= '9';
  }

  /** A short chunk repeated up to 2000 times: deep nesting, long lines, many entries. */
  private byte[] repeatChunk(byte[] b) {
    byte[] piece =
        random.nextBoolean() || dictionary.isEmpty()
            ? Arrays.copyOf(chunk(b), 1 + random.nextInt(8))
            : dictionary.get(random.nextInt(dictionary.size()));
    if (piece.length == 0) {
      return b;
    }
    int times = 1 + random.nextInt(MAX_REPEAT);
    times = Math.max(1, Math.min(times, (cap - b.length) / piece.length));
    byte[] run = new byte[piece.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(piece, 0, run, i * piece.length, piece.length);
    }
    return insert(b, random.nextInt(b.length + 1), run);
  }
}
