package io.omix.sdk;

import java.time.Instant;

/**
 * A signed download link to an object of the platform's file store.
 *
 * @param url        the link: anyone holding it can download the object until it expires
 * @param objectName the object's name in the store
 * @param expires    when the link stops working
 * @param raw        the whole answer, for fields this type does not name (a gene table's {@code size},
 *                   {@code sha256}, {@code format}, {@code columns})
 */
public record FileLink(String url, String objectName, Instant expires, Model raw) {
    static FileLink of(Model m, String objectName) {
        Object expires = m.get("expires");
        Instant at = null;
        if (expires instanceof Number n) {
            at = Instant.ofEpochSecond(n.longValue());
        } else if (expires instanceof String s && !s.isBlank()) {
            at = s.chars().allMatch(Character::isDigit) ? Instant.ofEpochSecond(Long.parseLong(s)) : Times.parse(s).toInstant();
        }
        String name = m.getString("object_name");
        return new FileLink(m.getString("url"), name != null ? name : objectName, at, m);
    }

    /** The link with its signature masked: anyone holding it downloads the object. */
    @Override
    public String toString() {
        return "FileLink[url=" + (url == null ? null : io.omix.sdk.internal.Redactor.link(url)) + ", objectName=" + objectName + ", expires=" + expires + "]";
    }
}
