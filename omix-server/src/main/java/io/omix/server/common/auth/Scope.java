package io.omix.server.common.auth;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** What an OAuth2 token may do. Shown on the consent page in both languages. */
public enum Scope {
    PROFILE("profile", "基本资料（用户名、昵称、头像、性别、生日）", "basic profile: username, nickname, avatar, sex, birthday"),
    EMAIL("email", "电子邮箱", "email address"),
    PHONE("phone", "手机号码", "phone number"),
    ADDRESS("address", "地址", "address"),
    PERSONNEL("personnel", "人员信息编码", "personnel information code"),
    SAMPLES("samples", "样品信息", "samples: list, read, register, improve"),
    VARIANTS("variants", "基因变异数据", "variant calls"),
    MICROBIOME("microbiome", "微生物组丰度", "microbiome abundance"),
    STREAMS("streams", "健康数据流", "health data streams"),
    FILES("files", "文件上传与下载", "file upload and download"),
    MODELS("models", "解读模型", "interpretation models"),
    /**
     * Seeing and revoking the applications the user authorized ({@code /user/grants}). Like admin,
     * only for clients an operator allowed it (a first-party tool such as the CLI), never by default:
     * an ordinary app must not learn which other apps a person uses, nor cut them off.
     */
    GRANTS("grants", "查看和撤销已授权的应用，导出全部数据，删除账户", "see and revoke the applications you authorized, take a copy of all your data (your genome included), and delete your account"),
    /**
     * Operating the platform ({@code /admin/*}). Granted only when asked for explicitly, only to a
     * client an operator has allowed it (which makes it first-party), and only to an operator.
     */
    ADMIN("admin", "平台管理（仅限运营者）", "platform administration (operators only)");

    private final String id;
    private final String zh;
    private final String en;

    Scope(String id, String zh, String en) {
        this.id = id;
        this.zh = zh;
        this.en = en;
    }

    public String id() {
        return id;
    }

    public String zh() {
        return zh;
    }

    public String en() {
        return en;
    }

    public static Optional<Scope> of(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    /** Every scope id, space-separated. */
    public static String all() {
        return String.join(" ", ids(values()));
    }

    /** What a client is allowed when nobody says otherwise, and what a token gets when none is asked for: all but admin and grants. */
    public static Set<String> defaults() {
        Set<String> out = ids(values());
        out.remove(ADMIN.id);
        out.remove(GRANTS.id);
        return out;
    }

    private static Set<String> ids(Scope[] scopes) {
        Set<String> out = new LinkedHashSet<>();
        for (Scope s : scopes) out.add(s.id);
        return out;
    }
}
