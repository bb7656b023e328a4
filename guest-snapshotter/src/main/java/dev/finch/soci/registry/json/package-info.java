/** Wire DTOs (records) of the registry API, token servers and docker's config and helpers. */
package dev.finch.soci.registry.json;
