-- Sign-in attempts are counted per account and source address ("a:<username>|<address>") and per
-- source address ("s:<address>"), before the password is checked.
ALTER TABLE login_failures ALTER COLUMN username SET DATA TYPE VARCHAR(200);
DELETE FROM login_failures;
