package io.omix.server.users;

import io.omix.server.Platform;
import io.omix.server.common.auth.Secrets;
import io.omix.server.common.db.Jdbc;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Users and their passwords. */
public final class UserStore {
    public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.@-]{3,64}");
    private static final String COLUMNS = "user_id, username, nickname, email, phone, sex, birthday, avatar, user_address, "
            + "personnel_info_code, operator, disabled";

    private final Platform platform;
    private final Jdbc jdbc;

    public UserStore(Platform platform) {
        this.platform = platform;
        this.jdbc = platform.database().jdbc();
    }

    /** Creates a user; the password is kept only as a bcrypt hash. */
    public User create(String username, String password, User.Profile profile, boolean operator) {
        if (!USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("username must be 3-64 of letters, digits, _ . @ -");
        }
        String weakness = PasswordHasher.weakness(password);
        if (weakness != null) throw new IllegalArgumentException("password " + weakness);
        if (findByUsername(username).isPresent()) throw new IllegalArgumentException("username '" + username + "' is taken");
        String userId = Secrets.digits(21);
        try {
            jdbc.update("INSERT INTO users (user_id, username, password_hash, nickname, email, phone, sex, birthday, avatar, "
                            + "user_address, personnel_info_code, operator, disabled, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,FALSE,?)",
                    userId, username, PasswordHasher.hash(password), profile.nickname(), profile.email(), profile.phone(),
                    profile.sex(), profile.birthday() == null ? null : Date.valueOf(profile.birthday()), profile.avatar(),
                    profile.userAddress(), profile.personnelInfoCode(), operator, platform.now());
        } catch (io.omix.server.common.db.Jdbc.DataAccessException e) {
            // Two creations of one name at once: the database's unique index decides, the loser is told plainly.
            if (e.isIntegrityViolation()) throw new IllegalArgumentException("username '" + username + "' is taken");
            throw e;
        }
        return findById(userId).orElseThrow();
    }

    /** Sets the profile fields (restoring an export); null fields are left as they are. */
    public void updateProfile(String userId, User.Profile p) {
        jdbc.update("UPDATE users SET nickname = COALESCE(?, nickname), email = COALESCE(?, email), phone = COALESCE(?, phone),"
                + " sex = COALESCE(?, sex), birthday = COALESCE(?, birthday), avatar = COALESCE(?, avatar), user_address = COALESCE(?, user_address),"
                + " personnel_info_code = COALESCE(?, personnel_info_code) WHERE user_id = ?", p.nickname(), p.email(), p.phone(), p.sex(),
                p.birthday(), p.avatar(), p.userAddress(), p.personnelInfoCode(), userId);
    }

    /** Sets every profile field to {@code p}'s, empty ones included (taking back a restore). */
    public void replaceProfile(String userId, User.Profile p) {
        jdbc.update("UPDATE users SET nickname = ?, email = ?, phone = ?, sex = ?, birthday = ?, avatar = ?, user_address = ?, personnel_info_code = ?"
                + " WHERE user_id = ?", p.nickname(), p.email(), p.phone(), p.sex(), p.birthday(), p.avatar(), p.userAddress(), p.personnelInfoCode(), userId);
    }

    /** Whether the person keeps their samples out of the Beacon's answers to others (false for an unknown id). */
    public boolean beaconOptOut(String userId) {
        return jdbc.withConnection(c -> beaconOptOut(c, userId));
    }

    /** As {@link #beaconOptOut(String)}, read in {@code c} (an export reads it in its transaction). */
    public static boolean beaconOptOut(java.sql.Connection c, String userId) throws java.sql.SQLException {
        return Jdbc.query(c, "SELECT beacon_opt_out FROM users WHERE user_id = ?", rs -> rs.getBoolean(1), userId).stream().findFirst().orElse(false);
    }

    /** Sets the person's Beacon choice; false when there is no such user. */
    public boolean setBeaconOptOut(String userId, boolean optOut) {
        return jdbc.update("UPDATE users SET beacon_opt_out = ? WHERE user_id = ?", optOut, userId) == 1;
    }

    public Optional<User> findById(String userId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM users WHERE user_id = ?", UserStore::map, userId);
    }

    public Optional<User> findByUsername(String username) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM users WHERE username = ?", UserStore::map, username);
    }

    /** The enabled user with this username and password; the same work is done whether or not the user exists. */
    public Optional<User> authenticate(String username, String password) {
        Optional<String[]> row = jdbc.queryOne("SELECT user_id, password_hash FROM users WHERE username = ? AND disabled = FALSE",
                rs -> new String[] {rs.getString(1), rs.getString(2)}, username);
        boolean ok = PasswordHasher.verify(password, row.map(r -> r[1]).orElse(null));
        return ok ? row.flatMap(r -> findById(r[0])) : Optional.empty();
    }

    public List<User> list() {
        return jdbc.query("SELECT " + COLUMNS + " FROM users ORDER BY username", UserStore::map);
    }

    /**
     * Disables or enables a user. Disabling ends everything the user's credentials opened: their tokens are revoked,
     * their sign-in sessions and upload credentials gone, so that enabling the account again revives none of them
     * (a stolen token or session must not outlive the incident that got the account disabled).
     * @return false when there is no such user
     */
    public boolean setDisabled(String username, boolean disabled) {
        java.time.OffsetDateTime now = platform.now();
        boolean found = jdbc.inTransaction(c -> {
            if (Jdbc.update(c, "UPDATE users SET disabled = ? WHERE username = ?", disabled, username) != 1) return false;
            if (disabled) {
                String userId = Jdbc.query(c, "SELECT user_id FROM users WHERE username = ?", rs -> rs.getString(1), username).get(0);
                // Codes not yet exchanged go too (an exchange after the user is enabled again would mint tokens); used ones
                // stay, so that a replay is still recognised.
                Jdbc.update(c, "DELETE FROM oauth_codes WHERE user_id = ? AND used_at IS NULL", userId);
                // Tokens and sessions before upload credentials: the order a write recording an upload holds them in (FileStore).
                Jdbc.update(c, "UPDATE oauth_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userId);
                Jdbc.update(c, "DELETE FROM user_sessions WHERE user_id = ?", userId);
                Jdbc.update(c, "UPDATE upload_credentials SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userId);
            }
            return true;
        });
        if (found && disabled) platform.credentials().changed();
        return found;
    }

    private static User map(ResultSet rs) throws SQLException {
        Date birthday = rs.getDate("birthday");
        return new User(rs.getString("user_id"), rs.getString("username"), rs.getString("nickname"), rs.getString("email"),
                rs.getString("phone"), (Integer) rs.getObject("sex"), birthday == null ? null : birthday.toLocalDate(),
                rs.getString("avatar"), rs.getString("user_address"), rs.getString("personnel_info_code"),
                rs.getBoolean("operator"), rs.getBoolean("disabled"));
    }

    /**
     * Holds the person's row until the transaction ends, as an account's erasure takes it first: an erasure in flight either
     * came first (false: the account is gone) or waits for the caller's transaction and then removes what it recorded.
     */
    public static boolean holdPerson(java.sql.Connection c, io.omix.server.common.db.Database database, String userId) throws SQLException {
        return !Jdbc.query(c, "SELECT 1 FROM users WHERE user_id = ?" + database.holdRows(), rs -> 1, userId).isEmpty();
    }
}
