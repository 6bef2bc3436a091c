package io.omix.server.fhir;

import io.omix.server.common.auth.MasterKey;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PatientIdsTest {
    private static final MasterKey KEY = MasterKey.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));
    private final PatientIds ids = new PatientIds(KEY);

    @Test
    void everyAccountIdOpensAgainForItsClientAlone() {
        Random random = new Random(7);
        List<String> accounts = new java.util.ArrayList<>(List.of("1", "0", "007", "000000000000000000000", "999999999999999999999", "100000000000000000000"));
        for (int i = 0; i < 2000; i++) {
            StringBuilder b = new StringBuilder();
            int digits = 1 + random.nextInt(21);
            for (int d = 0; d < digits; d++) b.append((char) ('0' + random.nextInt(10)));
            accounts.add(b.toString());
        }
        for (String account : accounts) {
            String id = ids.of("client-a", account);
            assertTrue(PatientIds.FORM.matcher(id).matches(), id);
            assertEquals(account, ids.accountOf("client-a", id), id);
            assertNull(ids.accountOf("client-b", id), "another client's id names nobody for this one");
            assertNotEquals(id, ids.of("client-b", account), "two clients' ids of one person differ");
        }
    }

    /** Clients keep the ids they were given: the same key must give the same id in every later build. */
    @Test
    void anIdIsTheSameInEveryBuild() {
        assertEquals("q40038c7a560bff62b21dc02f4a2be15d", ids.of("client-a", "123456789012345678901"));
        assertEquals("pK32EkKl5LWCguEBys8DGQvlz", ids.firstFormOf("client-a", "123456789012345678901"));
    }

    @Test
    void anIdChangedAnywhereOrMadeUpNamesNobody() {
        String id = ids.of("client-a", "123456789012345678901");
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            String changed = id.substring(0, i) + (c == '0' ? '1' : '0') + id.substring(i + 1);
            assertNull(ids.accountOf("client-a", changed), changed);
        }
        assertNull(ids.accountOf("client-a", id.toUpperCase()), "the form is lower-case hex");
        assertNull(ids.accountOf("client-a", id.substring(1)));
        assertNull(ids.accountOf("client-a", "q" + "0".repeat(32)));
        assertNull(ids.accountOf("client-a", ids.firstFormOf("client-a", "123456789012345678901")), "the first form is not opened");
        assertNull(ids.accountOf("client-a", null));
    }

    @Test
    void anotherMasterKeyOpensNone() {
        byte[] raw = new byte[32];
        raw[31] = 1;
        PatientIds other = new PatientIds(MasterKey.fromBase64(Base64.getEncoder().encodeToString(raw)));
        assertNull(other.accountOf("client-a", ids.of("client-a", "42")));
    }

    @Test
    void onlyAccountIdsAreSealed() {
        assertThrows(IllegalStateException.class, () -> ids.of("client-a", "u-42"));
        assertThrows(IllegalStateException.class, () -> ids.of("client-a", "1234567890123456789012"));
    }
}
