-- Identity and access. Secrets, passwords and tokens are never stored in clear: generated secrets
-- and tokens as SHA-256 hex digests, passwords as bcrypt hashes, and private apps' HMAC secrets
-- (which the server must be able to use) encrypted with the installation's master key.

CREATE TABLE users (
    user_id             VARCHAR(32)  NOT NULL PRIMARY KEY,
    username            VARCHAR(64)  NOT NULL UNIQUE,
    password_hash       VARCHAR(100) NOT NULL,
    nickname            VARCHAR(100),
    email               VARCHAR(254),
    phone               VARCHAR(32),
    sex                 INTEGER,
    birthday            DATE,
    avatar              VARCHAR(1000),
    user_address        VARCHAR(500),
    personnel_info_code VARCHAR(64),
    operator            BOOLEAN      NOT NULL DEFAULT FALSE,
    disabled            BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Browser sessions of the login page (and later the console), shared by every server.
CREATE TABLE user_sessions (
    session_hash CHAR(64)    NOT NULL PRIMARY KEY,
    user_id      VARCHAR(32) NOT NULL REFERENCES users (user_id),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX user_sessions_expiry ON user_sessions (expires_at);

CREATE TABLE oauth_clients (
    client_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    secret_hash   CHAR(64),                      -- null for public clients (PKCE instead)
    redirect_uris VARCHAR(4000) NOT NULL,        -- newline-separated, matched exactly
    grant_types   VARCHAR(200) NOT NULL,         -- comma-separated
    scopes        VARCHAR(1000) NOT NULL,        -- space-separated
    owner_user_id VARCHAR(32) REFERENCES users (user_id),
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE oauth_codes (
    code_hash             CHAR(64)      NOT NULL PRIMARY KEY,
    client_id             VARCHAR(64)   NOT NULL REFERENCES oauth_clients (client_id),
    user_id               VARCHAR(32)   NOT NULL REFERENCES users (user_id),
    redirect_uri          VARCHAR(1000) NOT NULL,
    scope                 VARCHAR(1000) NOT NULL,
    code_challenge        VARCHAR(128),
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at               TIMESTAMP WITH TIME ZONE
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- Access and refresh tokens. A family is every token descended from one grant (one code, or one
-- client-credentials request): reusing a code or a rotated refresh token revokes the whole family.
CREATE TABLE oauth_tokens (
    token_hash  CHAR(64)      NOT NULL PRIMARY KEY,
    kind        VARCHAR(10)   NOT NULL,          -- access | refresh
    family_id   VARCHAR(36)   NOT NULL,
    client_id   VARCHAR(64)   NOT NULL REFERENCES oauth_clients (client_id),
    user_id     VARCHAR(32)   REFERENCES users (user_id),
    grant_type  VARCHAR(30)   NOT NULL,
    scope       VARCHAR(1000) NOT NULL,
    code_hash   CHAR(64),
    issued_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    used_at     TIMESTAMP WITH TIME ZONE,       -- refresh tokens: when rotated
    revoked_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX oauth_tokens_family ON oauth_tokens (family_id);
CREATE INDEX oauth_tokens_code ON oauth_tokens (code_hash);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);

-- Private-platform apps: the HMAC secret is needed to verify signatures, so it is kept encrypted.
CREATE TABLE private_apps (
    app_key       VARCHAR(64)  NOT NULL PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    namespace     VARCHAR(100) NOT NULL UNIQUE,
    secret_sealed VARCHAR(200) NOT NULL,
    disabled      BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Nonces seen within the signature window, to refuse replays across every server.
CREATE TABLE private_nonces (
    app_key    VARCHAR(64) NOT NULL,
    nonce      VARCHAR(64) NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (app_key, nonce)
);
CREATE INDEX private_nonces_expiry ON private_nonces (expires_at);

CREATE TABLE dataset_api_keys (
    api_key     VARCHAR(64)  NOT NULL PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    secret_hash CHAR(64)     NOT NULL,
    disabled    BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
