package dev.finch.soci.snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A scriptable {@link RemotePreparer} that records what the snapshotter asked of it. */
public final class FakeRemote implements RemotePreparer {
  @FunctionalInterface
  public interface Answer {
    Outcome apply(String key, Path fsDir, Map<String, String> labels) throws IOException;
  }

  public final List<String> calls = new ArrayList<>();
  public final List<Map<String, String>> labelsSeen = new ArrayList<>();
  public final List<Path> unmounted = new ArrayList<>();
  public Answer answer = (key, fsDir, labels) -> new Defer("fake: no index");
  public UnmountAction onUnmount = fsDir -> {};

  @FunctionalInterface
  public interface UnmountAction {
    void unmount(Path fsDir) throws IOException;
  }

  @Override
  public Outcome tryPrepare(String key, Path fsDir, Map<String, String> labels) throws IOException {
    calls.add(key + " -> " + fsDir);
    labelsSeen.add(labels);
    return answer.apply(key, fsDir, labels);
  }

  @Override
  public void unmount(Path fsDir) throws IOException {
    unmounted.add(fsDir);
    onUnmount.unmount(fsDir);
  }
}
