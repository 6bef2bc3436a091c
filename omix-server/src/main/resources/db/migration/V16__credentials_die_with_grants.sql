-- Upload credentials die with the grant behind them: the access token that obtained them (its hash;
-- null when a browser session asked) is checked on every use, so revoking it, its family, or
-- disabling its user or client stops the credentials at once.
ALTER TABLE upload_credentials ADD COLUMN grant_token_hash CHAR(64);
