package io.omix.server.common.http;

/**
 * A refusal of a credential the request presented and that did not verify: a token never issued, an app key, dataset key
 * or upload credential unknown or with a signature or secret that does not match (a stale one, expired or revoked, is
 * refused without this mark). Only these count against the request's address
 * ({@code ratelimit.auth-failures-per-address-per-minute}): a request that presented none (a web page's script can send
 * those from its visitor's browser), or a credential that verified but may not do this, is not a guess.
 */
public interface CredentialRefusal {
}
