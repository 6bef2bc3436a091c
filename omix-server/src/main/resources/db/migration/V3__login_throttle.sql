-- Failed sign-ins per username, shared by every server, to slow down password guessing.
CREATE TABLE login_failures (
    username     VARCHAR(64) NOT NULL PRIMARY KEY,
    failures     INTEGER     NOT NULL,
    window_start TIMESTAMP WITH TIME ZONE NOT NULL,
    locked_until TIMESTAMP WITH TIME ZONE
);
