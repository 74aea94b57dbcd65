-- People: Slack profiles cached for every process, and the record of who changed shared state.

-- users.info answers, one row per workspace and user, refreshed at most once an hour by whichever process holds the
-- lease. A row whose fetched_at is null has been claimed but never fetched.
create table slack_profiles (
  team_id text not null,
  user_id text not null,
  name text,
  tz text,
  is_admin boolean not null default false,
  is_owner boolean not null default false,
  is_bot boolean not null default false,
  deleted boolean not null default false,
  status_text text,
  status_emoji text,
  status_expires_at timestamptz,
  fetched_at timestamptz,
  lease_until timestamptz,
  primary key (team_id, user_id)
);

-- Who changed what others see (digest subscriptions, owners of duties, taught aliases), when, and from what to what.
-- The actor is a Slack user id, or 'cli' for the command line (which has no Slack identity).
create table change_log (
  id bigint generated always as identity primary key,
  team_id text,
  area text not null,
  subject text not null,
  actor text not null,
  before jsonb,
  after jsonb,
  at timestamptz not null
);
create index change_log_subject on change_log (area, subject, at desc);
