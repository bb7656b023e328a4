package dev.finch.testkit.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One platform image being assembled in an {@link OciLayoutWriter}: layers, then a minimal config
 * (Cmd, Env with PATH, os/architecture, rootfs.diff_ids), then the manifest.
 */
public final class ImageBuilder {
  private final OciLayoutWriter writer;
  private final String name;
  private final String tag;
  private final List<OciLayer> layers = new ArrayList<>();
  private final Map<String, String> manifestAnnotations = new LinkedHashMap<>();
  private List<String> cmd = List.of("sh");
  private List<String> env =
      List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  private String platform = "linux/amd64";

  ImageBuilder(OciLayoutWriter writer, String name, String tag) {
    this.writer = writer;
    this.name = name;
    this.tag = tag;
  }

  /** Writes {@code layer} as the next (upper) layer. */
  public ImageBuilder layer(TarLayer layer, OciLayoutWriter.Compression compression) {
    layers.add(writer.addLayer(layer, compression));
    return this;
  }

  /** Adds an already written layer. */
  public ImageBuilder layer(OciLayer layer) {
    layers.add(layer);
    return this;
  }

  public ImageBuilder cmd(String... argv) {
    this.cmd = List.of(argv);
    return this;
  }

  public ImageBuilder env(String... vars) {
    this.env = List.of(vars);
    return this;
  }

  /** {@code os/arch[/variant]}; default {@code linux/amd64}. */
  public ImageBuilder platform(String osArch) {
    this.platform = osArch;
    return this;
  }

  public ImageBuilder manifestAnnotation(String key, String value) {
    manifestAnnotations.put(key, value);
    return this;
  }

  /**
   * Writes config and manifest; tags the manifest in {@code index.json} unless this is a platform
   * image.
   */
  public OciImage write() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("created", OciLayoutWriter.CREATED);
    config.putAll(OciLayoutWriter.platformJson(platform));
    Map<String, Object> cc = new LinkedHashMap<>();
    cc.put("Env", env);
    cc.put("Cmd", cmd);
    cc.put("WorkingDir", "/");
    config.put("config", cc);
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("type", "layers");
    rootfs.put("diff_ids", layers.stream().map(OciLayer::diffId).toList());
    config.put("rootfs", rootfs);
    OciBlob configBlob = writer.addBlob(OciLayoutWriter.json(config), OciLayoutWriter.CONFIG);

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciLayoutWriter.MANIFEST);
    manifest.put("config", OciLayoutWriter.descriptor(configBlob));
    manifest.put("layers", layers.stream().map(l -> OciLayoutWriter.descriptor(l.blob())).toList());
    if (!manifestAnnotations.isEmpty()) {
      manifest.put("annotations", manifestAnnotations);
    }
    OciBlob manifestBlob = writer.addBlob(OciLayoutWriter.json(manifest), OciLayoutWriter.MANIFEST);
    if (name != null) {
      writer.tag(manifestBlob, name, tag);
    }
    OciImage.PlatformManifest pm =
        new OciImage.PlatformManifest(platform, manifestBlob, configBlob, layers);
    return new OciImage(writer.dir(), name, tag, manifestBlob, List.of(pm));
  }
}
