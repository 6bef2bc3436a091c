package io.omix.sdk;

import java.time.OffsetDateTime;

/**
 * Credentials for the file store (get_upload_token), for tools other than this SDK; typed.
 *
 * @param accessKeyId     the key id
 * @param accessKeySecret the key secret (keep it as secret as a password)
 * @param securityToken   the session token
 * @param expiration      when they stop working
 * @param destination     the prefix the caller may write under
 * @param bucket          the bucket
 * @param endpoint        the store's endpoint
 * @param raw             the whole answer, for fields this type does not name ({@code base_uri}, {@code region_id})
 */
public record UploadCredentials(String accessKeyId, String accessKeySecret, String securityToken, OffsetDateTime expiration,
                                String destination, String bucket, String endpoint, Model raw) {
    static UploadCredentials of(Model m) {
        Model c = m.getModel("credentials");
        String expiration = c == null ? null : c.getString("expiration");
        return new UploadCredentials(c == null ? null : c.getString("access_key_id"), c == null ? null : c.getString("access_key_secret"),
                c == null ? null : c.getString("security_token"), expiration == null ? null : Times.parse(expiration),
                m.getString("destination"), m.getString("bucket"), m.getString("endpoint"), m);
    }

    /** The secret stays out of logs. */
    @Override
    public String toString() {
        return "UploadCredentials[accessKeyId=" + accessKeyId + ", expiration=" + expiration + ", destination=" + destination + "]";
    }
}
