-- Phrasings of the field that point at duties (tools, jargon, symptoms, situations), from
-- data/concepts.json: indexed with each duty like its aliases, at a lower weight. One concept
-- names several duties, so a row per (duty, phrase). Other sources of phrasings for a duty
-- (aliases a team teaches in use) can be added as further `source` values.
create table duty_expansions (
  duty_id text not null references duties (id) on delete cascade,
  phrase text not null,
  source text not null,
  primary key (duty_id, phrase)
);

alter table duty_phrases drop constraint if exists duty_phrases_kind_check;
alter table duty_phrases add constraint duty_phrases_kind_check check (kind in ('title', 'alias', 'concept'));

-- Topics near a team's work that the role does not cover (data/topics.json): a question about one
-- of them is refused even when other words of it match duties.
create table outside_topics (
  term text primary key,
  topic text not null
);

-- Whether a lexeme is the role's own word (in some duty's title or description) rather than only
-- in phrasings added around it: a common English word there ("nobody", "week") weighs less.
alter table term_stats add column core boolean not null default false;
