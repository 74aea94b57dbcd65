-- Learning in use (issue 11, item 6): what people confirmed, and the phrases each workspace's catalog keepers taught.

-- A phrase taught to a duty in one workspace: searched like an alias of that duty, for that workspace only.
-- phrase_norm is the phrase as the search reads it (lowercased word tokens), so case and punctuation make no new alias.
create table taught_aliases (
  team_id text not null,
  duty_id text not null references duties (id) on delete cascade,
  phrase text not null,
  phrase_norm text not null,
  taught_by text not null,
  taught_at timestamptz not null,
  primary key (team_id, duty_id, phrase_norm)
);

-- One counter per workspace, bumped in the transaction of every teach and untaught: each process compares it at every
-- question of that workspace (a primary-key read) and reloads its copy of the workspace's phrases when it moved.
create table taught_versions (
  team_id text primary key,
  version bigint not null
);

-- A person confirmed that a duty answers a question: picked it under "did you mean", or voted 👍 on it. One row per
-- workspace, question (normalised), duty and person (hashed like every user id we keep). No alias is made from it
-- until a keeper teaches it.
create table confirmed_pairs (
  team_id text not null,
  question_norm text not null,
  duty_id text not null,
  user_hash text not null,
  question text not null,
  answer_id uuid not null,
  via text not null check (via in ('choice', 'vote')),
  confirmed_at timestamptz not null,
  primary key (team_id, question_norm, duty_id, user_hash)
);
create index confirmed_pairs_recent on confirmed_pairs (team_id, confirmed_at desc);

-- The workspace a question came from (null: the command line), so confirmations, the report and taught phrases stay
-- within it.
alter table answers add column team_id text;
