package io.omix.server.fhir;

import io.omix.server.common.auth.BlockSeal;
import io.omix.server.common.auth.MasterKey;
import io.omix.server.common.auth.Secrets;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The Patient id a client's token sees for a person: the account id and a tag of the client sealed in one AES block
 * ({@link BlockSeal}), written {@code q} and 32 hex digits. No client learns account ids (which the original APIs never
 * give it), two clients' ids of one person cannot be linked, and an id is opened, not searched for: a lookup costs the same
 * however many people the client sees (the first form, a keyed digest, could only be found by computing the digest of
 * each of them), and an id another client was given, or one made up, does not open (its tag differs).
 */
final class PatientIds {
    static final Pattern FORM = Pattern.compile("q[0-9a-f]{32}");
    /** The first form: {@code p} and 24 letters or digits of a keyed digest of the client and the account. */
    static final Pattern FIRST_FORM = Pattern.compile("p[A-Za-z0-9]{24}");
    /** Account ids are numbers of at most 21 digits ({@code UserStore}): their length and value fill 10 of a block's 16 bytes. */
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{1,21}");
    private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^A-Za-z0-9]");
    private static final int TAG_BYTES = 6;
    private static final int MAX_TAGS_KEPT = 10_000;

    private final BlockSeal seal;
    private final byte[] tagKey;
    private final byte[] firstFormKey;
    private final Map<String, byte[]> tags = new ConcurrentHashMap<>();

    PatientIds(MasterKey masterKey) {
        this.seal = new BlockSeal(masterKey, "fhir-patient-ids");
        this.tagKey = masterKey.derive("fhir-patient-client-tags");
        this.firstFormKey = masterKey.derive("fhir-patient");
    }

    /** Whether {@link #of} seals {@code userId}: a number of at most 21 digits, as every account made here. */
    static boolean sealable(String userId) {
        return ACCOUNT.matcher(userId).matches();
    }

    /** The id {@code clientId} sees for the account {@code userId} ({@link #sealable}). */
    String of(String clientId, String userId) {
        if (!sealable(userId)) throw new IllegalStateException("an account id is a number of at most 21 digits");
        byte[] block = new byte[16];
        block[0] = (byte) userId.length();
        byte[] value = new BigInteger(userId).toByteArray(); // at most 9 bytes: 10^21 < 2^70
        int length = Math.min(value.length, 9);
        System.arraycopy(value, value.length - length, block, 10 - length, length);
        System.arraycopy(tag(clientId), 0, block, 10, TAG_BYTES);
        return "q" + HexFormat.of().formatHex(seal.seal(block));
    }

    /** The account behind an id {@link #of} gave {@code clientId}; null for any other text (another client's id too). */
    String accountOf(String clientId, String patientId) {
        if (patientId == null || !FORM.matcher(patientId).matches()) return null;
        byte[] block = seal.open(HexFormat.of().parseHex(patientId, 1, patientId.length()));
        byte[] tag = java.util.Arrays.copyOfRange(block, 10, 16);
        if (!MessageDigest.isEqual(tag, tag(clientId))) return null;
        int digits = block[0];
        if (digits < 1 || digits > 21) return null;
        String value = new BigInteger(1, java.util.Arrays.copyOfRange(block, 1, 10)).toString();
        if (value.length() > digits) return null;
        return "0".repeat(digits - value.length()) + value;
    }

    /** The id of the first form {@code clientId} was given for {@code userId}: found only by computing it for each person. */
    String firstFormOf(String clientId, String userId) {
        return "p" + NOT_ALPHANUMERIC.matcher(Secrets.hmac(firstFormKey, clientId + "\n" + userId)).replaceAll("").substring(0, 24);
    }

    private byte[] tag(String clientId) {
        byte[] kept = tags.get(clientId);
        if (kept != null) return kept;
        byte[] tag = java.util.Arrays.copyOf(Secrets.hmacBytes(tagKey, clientId), TAG_BYTES);
        if (tags.size() >= MAX_TAGS_KEPT) tags.clear();
        tags.put(clientId, tag);
        return tag;
    }
}
