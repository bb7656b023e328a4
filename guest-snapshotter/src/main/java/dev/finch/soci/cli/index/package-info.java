/** {@code soci index list|info|rm}: the SOCI indexes in the artifacts database. */
package dev.finch.soci.cli.index;
