package dev.finch.soci.remote;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Uncompressed spans of all mounted layers, least recently used evicted first, bounded in bytes.
 * Spans are verified before they get here, so anything served from the cache was checked once.
 */
final class SpanCache {
  private final long maxBytes;
  private final LinkedHashMap<String, byte[]> spans = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  SpanCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  synchronized byte[] get(String layer, int span) {
    return spans.get(layer + "/" + span);
  }

  synchronized void put(String layer, int span, byte[] data) {
    byte[] old = spans.put(layer + "/" + span, data);
    bytes += data.length - (old == null ? 0 : old.length);
    Iterator<Map.Entry<String, byte[]>> it = spans.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, byte[]> e = it.next();
      if (e.getValue() == data) {
        continue;
      }
      bytes -= e.getValue().length;
      it.remove();
    }
  }

  synchronized long bytes() {
    return bytes;
  }
}
