-- Secrets generated once per installation (per database), never configured or logged. 'user_hash' keys the HMAC
-- that stands for a Slack user id in logs and stored rows (answers, votes): without it, hashing a workspace's user
-- list maps every hash back to a person, as the fixed salt before it allowed. 64 hex digits from two random UUIDs
-- (gen_random_uuid draws from the server's strong random source; built in since Postgres 13, and in PGlite).
create table installation_secrets (
  name text primary key,
  secret text not null,
  created_at timestamptz not null default now()
);
insert into installation_secrets (name, secret)
values ('user_hash', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
