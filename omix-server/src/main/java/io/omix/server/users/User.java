package io.omix.server.users;

import java.time.LocalDate;

/** A person who signs in: the fields of the open platform's get_user, plus whether they operate the platform. */
public record User(String userId, String username, String nickname, String email, String phone, Integer sex,
                   LocalDate birthday, String avatar, String userAddress, String personnelInfoCode,
                   boolean operator, boolean disabled) {

    /** What {@code omix admin user create} and the demo give; null fields stay empty. */
    public record Profile(String nickname, String email, String phone, Integer sex, LocalDate birthday, String avatar,
                          String userAddress, String personnelInfoCode) {
        public static final Profile EMPTY = new Profile(null, null, null, null, null, null, null, null);
    }
}
