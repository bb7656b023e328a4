/** {@code soci ztoc list|info|get-file|build}: zTOCs in the artifacts database and on disk. */
package dev.finch.soci.cli.ztoc;
