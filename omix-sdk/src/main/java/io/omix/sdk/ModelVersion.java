package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * One version of an interpretation model, newest first in {@link Api.Models#versions(String)}.
 *
 * @param version     its number, from 1
 * @param comment     what the deployment said of it, or null
 * @param message     what its publication said, or null (never published)
 * @param createdAt   when it was deployed
 * @param publishedAt when it was published, or null
 * @param stable      whether invocations run it now
 * @param draft       whether draft invocations run it now
 */
public record ModelVersion(int version, String comment, String message, OffsetDateTime createdAt, OffsetDateTime publishedAt,
                           boolean stable, boolean draft) {
    static ModelVersion of(Model m) {
        return new ModelVersion(m.getInt("version"), m.getString("comment"), m.getString("message"), Times.parse(m.getString("created_at")),
                Times.parse(m.getString("published_at")), Boolean.TRUE.equals(m.getBoolean("stable")), Boolean.TRUE.equals(m.getBoolean("draft")));
    }
}
