/**
 * Hand-written FlatBuffers accessors and builder helpers for {@code ztoc/fbs/ztoc.fbs} and {@code
 * ztoc/compression/fbs/zinfo.fbs} (what {@code flatc --java} would generate). Quarantined here so
 * that domain code only sees {@code dev.finch.soci.ztoc} records; slot numbers equal the schema
 * field order.
 */
package dev.finch.soci.ztoc.fbs;
