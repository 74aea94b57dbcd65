-- Weekly digests: which channels get one, and one row per (channel, week) that makes each post happen exactly once.

create table digest_subscriptions (
  channel_id text primary key,
  team_id text,
  -- ISO weekday, 1 = Monday … 7 = Sunday.
  weekday int not null check (weekday between 1 and 7),
  minute_of_day int not null check (minute_of_day between 0 and 1439),
  time_zone text not null,
  status text not null default 'active' check (status in ('active', 'paused', 'unsubscribed')),
  -- Why a paused subscription stopped (a Slack error code such as is_archived); cleared by subscribing again.
  paused_reason text,
  subscribed_by text not null,
  -- Only due times at or after this instant are posted: subscribing on a Tuesday for Mondays does not post a late
  -- digest for the Monday that already passed.
  active_since timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index digest_subscriptions_active on digest_subscriptions (status) where status = 'active';

-- The exactly-once record. The primary key is the claim: whoever inserts (or takes over an expired lease) posts.
create table digest_runs (
  channel_id text not null,
  -- ISO week of the due date in the subscription's time zone, e.g. '2026-W23'.
  period text not null,
  due_at timestamptz not null,
  -- Position in the rotation (0 = first section): the number of digests this channel had before this one.
  seq int not null,
  status text not null check (status in ('claimed', 'posted', 'failed', 'unknown')),
  attempts int not null default 0,
  -- The previous attempt may have reached Slack (process died, timeout, 5xx): look for the message before posting.
  verify boolean not null default false,
  lease_until timestamptz,
  claimed_by text,
  -- Wall clock (ms) of the first attempt's process, to bound the search of the channel's history.
  first_attempt_wall_ms bigint,
  next_attempt_at timestamptz,
  message_ts text,
  posted_at timestamptz,
  late boolean not null default false,
  last_error text,
  updated_at timestamptz not null default now(),
  primary key (channel_id, period)
);

-- Set when Slack says the token is dead (invalid_auth, token_revoked, account_inactive): every digest stops until a
-- working token subscribes again or `mle-duties digest resume` is run.
create table digest_halt (
  id int primary key check (id = 1),
  reason text not null,
  halted_at timestamptz not null
);
