-- Slack surface: event dedupe shared by every process, answers the buttons refer to, and votes on them.

-- One row per Events API delivery id. A process claims an event by inserting its row; a retry of an event
-- already claimed does nothing, unless the claim is stale (the process died before finishing).
create table slack_event_receipts (
  event_id text primary key,
  claimed_at timestamptz not null default now(),
  done_at timestamptz
);
create index slack_event_receipts_claimed on slack_event_receipts (claimed_at);

-- Every question asked and what was shown. Buttons (More, Share, votes, did-you-mean) carry only the id,
-- so any process can serve the click and no question has to fit in a 2000-character button value.
create table answers (
  id uuid primary key,
  question text not null,
  question_norm text not null,
  matches jsonb not null,
  near_misses jsonb not null,
  answered boolean not null,
  surface text not null check (surface in ('command', 'mention', 'dm', 'choice')),
  user_hash text not null,
  created_at timestamptz not null default now()
);
create index answers_unanswered on answers (question_norm) where not answered;
create index answers_created on answers (created_at);

-- One vote per person, question and entry voted on; voting again changes it. The entry voted on is the
-- top one shown: the one the answer put forward.
create table answer_votes (
  question_norm text not null,
  duty_id text not null,
  user_hash text not null,
  question text not null,
  answer_id uuid not null,
  shown_ids text[] not null,
  vote smallint not null check (vote in (-1, 1)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (question_norm, duty_id, user_hash)
);
create index answer_votes_duty on answer_votes (duty_id) where vote < 0;
