-- The columns JdbcUserDirectory's default mapping reads from the ASP.NET Membership tables, in PostgreSQL types
-- (uniqueidentifier as uuid, nvarchar as varchar, bit as boolean), plus a portal table of people and the terms table.
CREATE TABLE aspnet_Applications (
    ApplicationId uuid PRIMARY KEY,
    ApplicationName varchar(256) NOT NULL,
    LoweredApplicationName varchar(256) NOT NULL
);
CREATE TABLE aspnet_Users (
    ApplicationId uuid NOT NULL REFERENCES aspnet_Applications (ApplicationId),
    UserId uuid PRIMARY KEY,
    UserName varchar(256) NOT NULL,
    LoweredUserName varchar(256) NOT NULL,
    IsAnonymous boolean NOT NULL DEFAULT false,
    LastActivityDate timestamp NOT NULL DEFAULT now(),
    UNIQUE (ApplicationId, LoweredUserName)
);
CREATE TABLE aspnet_Membership (
    ApplicationId uuid NOT NULL REFERENCES aspnet_Applications (ApplicationId),
    UserId uuid PRIMARY KEY REFERENCES aspnet_Users (UserId),
    Password varchar(128) NOT NULL,
    PasswordFormat integer NOT NULL DEFAULT 0,
    PasswordSalt varchar(128) NOT NULL,
    Email varchar(256),
    LoweredEmail varchar(256),
    IsApproved boolean NOT NULL,
    IsLockedOut boolean NOT NULL,
    CreateDate timestamp NOT NULL DEFAULT now(),
    FailedPasswordAttemptCount integer NOT NULL DEFAULT 0
);
CREATE TABLE aspnet_Roles (
    ApplicationId uuid NOT NULL REFERENCES aspnet_Applications (ApplicationId),
    RoleId uuid PRIMARY KEY,
    RoleName varchar(256) NOT NULL,
    LoweredRoleName varchar(256) NOT NULL
);
CREATE TABLE aspnet_UsersInRoles (
    UserId uuid NOT NULL REFERENCES aspnet_Users (UserId),
    RoleId uuid NOT NULL REFERENCES aspnet_Roles (RoleId),
    PRIMARY KEY (UserId, RoleId)
);
CREATE TABLE portal_people (
    UserId uuid PRIMARY KEY REFERENCES aspnet_Users (UserId),
    FullName varchar(256) NOT NULL,
    OrganisationCode varchar(64)
);
CREATE TABLE portcullis_terms_acceptance (
    user_handle text PRIMARY KEY,
    terms_version text NOT NULL,
    accepted_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO aspnet_Applications VALUES ('00000000-0000-0000-0000-0000000000a1', '/', '/');
INSERT INTO aspnet_Roles VALUES
    ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b1', 'PROVIDER', 'provider'),
    ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000b2', 'AUDITOR', 'auditor');
