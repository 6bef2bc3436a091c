package io.omix.server.samples;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The hand-written biosample id check answers as the documented pattern does, for any text. */
class SampleAccessTest {
    @Test
    void theIdCheckIsThePattern() {
        List<String> ids = new ArrayList<>(List.of("E-B24612687076", "E-Z00000000000", "E-A99999999999", "", "E-", "E-B2461268707",
                "E-B246126870761", "e-B24612687076", "E_B24612687076", "E-b24612687076", "E-@24612687076", "E-[24612687076",
                "E-B2461268707/", "E-B2461268707:", "E-B٢4612687076", "E-B24612687076\n", " E-B24612687076", "E-ÀB4612687076", "Е-B24612687076"));
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "E-BZAZ0123456789/:@[`az٣ \n";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder s = new StringBuilder("E-B24612687076");
            int at = random.nextInt(s.length());
            s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            if (random.nextInt(10) == 0) s.append('7');
            ids.add(s.toString());
        }
        for (String id : ids) {
            assertEquals(SampleAccess.BIOSAMPLE_ID.matcher(id).matches(), SampleAccess.isBiosampleId(id), id);
        }
        assertFalse(SampleAccess.isBiosampleId(null));
    }
}
