package dev.finch.soci.fs.fuse;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the FUSE requests one mount served, by kind; see {@link LayerMount#requests()}. */
final class RequestCounts {
  final LongAdder lookup = new LongAdder();
  final LongAdder getattr = new LongAdder();
  final LongAdder open = new LongAdder();
  final LongAdder readdir = new LongAdder();
  final LongAdder readdirplus = new LongAdder();
  final LongAdder read = new LongAdder();

  LayerMount.Requests snapshot() {
    return new LayerMount.Requests(
        lookup.sum(), getattr.sum(), open.sum(), readdir.sum(), readdirplus.sum(), read.sum());
  }
}
