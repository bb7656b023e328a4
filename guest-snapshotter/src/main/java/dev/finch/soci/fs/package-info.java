/**
 * The file tree of one lazily loaded layer, independent of FUSE: {@link
 * dev.finch.soci.fs.LayerEntry} (one zTOC entry) goes in, {@link dev.finch.soci.fs.LayerTree}
 * (nodes with soci's overlay semantics and stable inode numbers) comes out, and {@link
 * dev.finch.soci.fs.FileContent} is where file bytes come from. The FUSE file system lives in
 * {@code dev.finch.soci.fs.fuse}, the only package importing it.
 *
 * @see <a href="https://github.com/awslabs/soci-snapshotter/blob/main/fs/layer/node.go">soci
 *     fs/layer/node.go</a>
 */
package dev.finch.soci.fs;
