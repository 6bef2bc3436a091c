package io.omix.sdk.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedactorTest {
    @Test
    void masksSecretParametersInQueryAndFormStrings() {
        assertEquals("client_id=app&client_secret=***&grant_type=client_credentials",
                Redactor.urlEncoded("client_id=app&client_secret=s3cr3t&grant_type=client_credentials"));
        assertEquals("token=***&x=1", Redactor.urlEncoded("token=abc&x=1"));
        assertEquals("REFRESH_TOKEN=***", Redactor.urlEncoded("REFRESH_TOKEN=abc"));
        assertEquals("flag&code=***", Redactor.urlEncoded("flag&code=authcode"));
    }

    @Test
    void masksSecretStringsAnywhereInJsonButKeepsNumericCodes() {
        assertEquals("{\"code\":0,\"data\":{\"access_token\":\"***\",\"list\":[{\"password\":\"***\"}],\"expires_in\":7200}}",
                Redactor.json("{\"code\":0,\"data\":{\"access_token\":\"tok\",\"list\":[{\"password\":\"pw\"}],\"expires_in\":7200}}"));
        assertEquals("not json", Redactor.json("not json"));
    }

    @Test
    void masksTheSignatureOfALinkInAnAnswer() {
        assertEquals("{\"data\":{\"url\":\"https://h/oss/objects/a/b.txt?Expires=1700000000&Signature=***\",\"expires\":\"1700000000\"}}",
                Redactor.json("{\"data\":{\"url\":\"https://h/oss/objects/a/b.txt?Expires=1700000000&Signature=c2lnbmF0dXJl\",\"expires\":\"1700000000\"}}"));
        assertEquals("https://b.s3/x?X-Amz-Signature=***&X-Amz-Date=1#f", Redactor.link("https://b.s3/x?X-Amz-Signature=ab&X-Amz-Date=1#f"));
        assertEquals("https://h/plain", Redactor.link("https://h/plain"));
    }

    @Test
    void masksCredentialHeadersKeepingTheScheme() {
        assertEquals("Bearer ***", Redactor.header("Authorization", "Bearer abc.def"));
        assertEquals("***", Redactor.header("X-API-SECRET", "xyz"));
        assertEquals("app-key", Redactor.header("X-API-KEY", "app-key"));
    }
}
