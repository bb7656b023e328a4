/** {@code soci image rpull}: pulling an image into containerd through the snapshotter. */
package dev.finch.soci.cli.image;
