-- What each person has allowed each application: the consent page asks again only for scopes not in
-- here, /user/grants lists it, and revoking removes it together with every credential of the pair.
CREATE TABLE oauth_consents (
    user_id     VARCHAR(64)  NOT NULL REFERENCES users (user_id),
    client_id   VARCHAR(64)  NOT NULL REFERENCES oauth_clients (client_id),
    scope       VARCHAR(1000) NOT NULL,
    granted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
CREATE INDEX oauth_tokens_pair ON oauth_tokens (client_id, user_id);
